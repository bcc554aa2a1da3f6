/** Python-style levels, as the seed uses them. */
export const LogLevel = {
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARNING: 'WARNING',
  ERROR: 'ERROR',
  CRITICAL: 'CRITICAL',
} as const;

export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

/** Python's numeric level (DEBUG 10 … CRITICAL 50): handy for "at least" comparisons. */
export function levelRank(level: LogLevel): number {
  return RANK[level];
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in RANK;
}

/** Accepts the usual spellings (warn, fatal, err, lowercase) and returns the canonical level. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const upper = text.trim().toUpperCase();
  if (upper in RANK) return upper as LogLevel;
  switch (upper) {
    case 'WARN':
      return 'WARNING';
    case 'ERR':
      return 'ERROR';
    case 'FATAL':
    case 'CRIT':
      return 'CRITICAL';
    case 'TRACE':
      return 'DEBUG';
    default:
      return undefined;
  }
}

/** OpenTelemetry SeverityNumber for a level (the first number of each OTel range). */
export function levelToSeverityNumber(level: LogLevel): number {
  switch (level) {
    case 'DEBUG':
      return 5;
    case 'INFO':
      return 9;
    case 'WARNING':
      return 13;
    case 'ERROR':
      return 17;
    case 'CRITICAL':
      return 21;
  }
}

/** Maps an OTel SeverityNumber (1–24) back to a level; 0/unknown becomes INFO. */
export function severityNumberToLevel(severity: number | undefined): LogLevel {
  if (severity === undefined || severity <= 0) return 'INFO';
  if (severity < 9) return 'DEBUG';
  if (severity < 13) return 'INFO';
  if (severity < 17) return 'WARNING';
  if (severity < 21) return 'ERROR';
  return 'CRITICAL';
}
