import { epochMicros } from '@debbie/model';

// Day number of 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

let cachedYmd = -1;
let cachedDayMicros = 0;

/**
 * Epoch microseconds of a DebbieEvent timestamp. The canonical form
 * ("2025-05-29T10:15:32.123456Z") is parsed by hand from char codes (no allocation; the day
 * number is cached), because Date.parse on every event would dominate the detectors' budget;
 * anything else falls back to the model's general parser.
 */
export function eventMicros(iso: string): number {
  if (iso.length === 27 && iso.charCodeAt(26) === 90 /* Z */ && iso.charCodeAt(10) === 84 /* T */) {
    const ymd = digits(iso, 0, 4) * 10000 + digits(iso, 5, 2) * 100 + digits(iso, 8, 2);
    let day: number;
    if (ymd === cachedYmd) {
      day = cachedDayMicros;
    } else {
      day = daysFromCivil(Math.floor(ymd / 10000), Math.floor(ymd / 100) % 100, ymd % 100) * 86_400_000_000;
      if (!Number.isNaN(day)) {
        cachedYmd = ymd;
        cachedDayMicros = day;
      }
    }
    const v = day + digits(iso, 11, 2) * 3_600_000_000 + digits(iso, 14, 2) * 60_000_000 + digits(iso, 17, 2) * 1_000_000 + digits(iso, 20, 6);
    if (!Number.isNaN(v)) return v;
  }
  return epochMicros(iso);
}
