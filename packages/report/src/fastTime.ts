import { epochMicros } from '@debbie/model';

let cachedDay = '\u0000'; // matches no timestamp until the first one is parsed
let cachedDayMs = 0;

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

/**
 * Epoch microseconds of a DebbieEvent timestamp. Canonical timestamps
 * ("2025-05-29T10:15:32.123456Z") take a fast path that parses the day once and the time of day
 * by character codes; anything else falls back to the model's full parser. NaN when unparseable.
 */
export function timestampMicros(ts: string): number {
  if (ts.length === 27 && ts.charCodeAt(10) === 84 /* T */ && ts.charCodeAt(26) === 90 /* Z */ && ts.charCodeAt(19) === 46) {
    if (!ts.startsWith(cachedDay)) {
      const day = ts.slice(0, 10);
      const ms = Date.parse(`${day}T00:00:00Z`);
      if (Number.isNaN(ms)) return epochMicros(ts);
      cachedDay = day;
      cachedDayMs = ms;
    }
    const h = digit(ts, 11) * 10 + digit(ts, 12);
    const m = digit(ts, 14) * 10 + digit(ts, 15);
    const s = digit(ts, 17) * 10 + digit(ts, 18);
    let frac = 0;
    for (let i = 20; i < 26; i++) {
      const d = digit(ts, i);
      if (d < 0 || d > 9) return epochMicros(ts);
      frac = frac * 10 + d;
    }
    if (!(h >= 0 && h < 24 && m >= 0 && m < 60 && s >= 0 && s < 61)) return epochMicros(ts);
    return (cachedDayMs + ((h * 60 + m) * 60 + s) * 1000) * 1000 + frac;
  }
  return epochMicros(ts);
}
