/**
 * Timestamps in a DebbieEvent are ISO-8601 UTC strings with microseconds
 * ("2025-05-29T10:15:32.123456Z"): fixed width, so they sort as strings.
 */

// Formatting a Date is the costliest step of converting a span; events arrive in bursts
// within the same second, so the "YYYY-MM-DDTHH:MM:SS" prefix is cached per second.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** Formats epoch microseconds as an ISO-8601 UTC string with six fractional digits. */
export function isoFromEpochMicros(micros: number): string {
  const whole = Math.round(micros);
  const second = Math.floor(whole / 1e6);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  const frac = whole - second * 1e6;
  return `${cachedPrefix}.${frac < 100000 ? String(frac).padStart(6, '0') : frac}Z`;
}

export function isoFromEpochMillis(ms: number): string {
  return isoFromEpochMicros(ms * 1000);
}

/** OpenTelemetry HrTime [seconds, nanoseconds] → ISO string. */
export function isoFromHrTime(time: readonly [number, number]): string {
  return isoFromEpochMicros(time[0] * 1e6 + Math.floor(time[1] / 1000));
}

/** Unix nanoseconds (as bigint, number or decimal string, as OTLP carries them) → ISO string. */
export function isoFromUnixNanos(nanos: bigint | number | string): string {
  const big = typeof nanos === 'bigint' ? nanos : BigInt(typeof nanos === 'number' ? Math.trunc(nanos) : nanos);
  return isoFromEpochMicros(Number(big / 1000n));
}

const ISO_PATTERN = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO-8601 timestamp (any fractional precision, Z or an offset; no zone means UTC)
 * into epoch microseconds. Returns NaN when the text is not a timestamp.
 */
export function epochMicros(iso: string): number {
  // The canonical form ("2025-05-29T10:15:32.123456Z", every stored and exported timestamp) with
  // the second's epoch cached: events come in bursts within a second.
  if (iso.length === 27 && iso.charCodeAt(19) === 46 /* . */ && iso.charCodeAt(26) === 90 /* Z */) {
    let frac = 0;
    for (let i = 20; i < 26; i++) {
      const d = iso.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return parseIso(iso);
      frac = frac * 10 + d;
    }
    if (!iso.startsWith(cachedParsedSecond) || cachedParsedSecond === '') {
      const second = iso.slice(0, 19);
      const ms = parseIso(`${second}Z`);
      if (Number.isNaN(ms)) return Number.NaN;
      cachedParsedSecond = second;
      cachedParsedMicros = ms;
    }
    return cachedParsedMicros + frac;
  }
  return parseIso(iso);
}

let cachedParsedSecond = '';
let cachedParsedMicros = Number.NaN;

function parseIso(iso: string): number {
  const m = ISO_PATTERN.exec(iso);
  if (!m) return Number.NaN;
  const zone = m[4] ?? 'Z';
  const base = Date.parse(`${m[1]}T${m[2]}${zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(base)) return Number.NaN;
  const frac = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  return base * 1000 + Number(frac);
}

/** Epoch microseconds → OpenTelemetry HrTime. */
export function hrTimeFromEpochMicros(micros: number): [number, number] {
  const seconds = Math.floor(micros / 1e6);
  return [seconds, Math.round((micros - seconds * 1e6) * 1000)];
}

/** Normalizes any accepted timestamp text to Debbie's canonical ISO form. */
export function normalizeTimestamp(text: string): string | undefined {
  const micros = epochMicros(text);
  return Number.isNaN(micros) ? undefined : isoFromEpochMicros(micros);
}
