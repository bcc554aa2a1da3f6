import { redactString } from '../redact.js';
import type { DebbieEvent } from '../DebbieEvent.js';
import { toNumber } from './renames.js';

/**
 * Why a model or tool call failed, as a small closed set: errors are grouped and advised on by
 * cause, not by span name. Written to `details.error_cause` with `details.error_type`,
 * `details.http_status` and `details.error_message` (docs/conventions.md).
 */
export type ErrorCause =
  | 'rate_limit'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'timeout'
  | 'server_error'
  | 'connection'
  | 'cancelled'
  | 'other';

const HTTP_STATUS_KEYS = ['http.response.status_code', 'http.status_code', 'error.status_code', 'ai.response.status'];

function causeOfStatus(status: number): ErrorCause | undefined {
  if (status === 429) return 'rate_limit';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500 && status <= 599) return 'server_error';
  if (status >= 400 && status <= 499) return 'bad_request';
  return undefined;
}

const MESSAGE_CAUSES: readonly (readonly [RegExp, ErrorCause])[] = [
  [/rate.?limit|too many requests|quota|RESOURCE_EXHAUSTED/i, 'rate_limit'],
  [/unauthori[sz]ed|invalid.{0,10}api.?key|incorrect api key|authentication|UNAUTHENTICATED/i, 'unauthorized'],
  [/forbidden|permission denied|PERMISSION_DENIED/i, 'forbidden'],
  [/time[d ]?out|ETIMEDOUT|deadline exceeded|DEADLINE_EXCEEDED/i, 'timeout'],
  [/abort|cancel+ed/i, 'cancelled'],
  // Error codes are matched case-sensitively: "FileNotFoundError" is not ENOTFOUND.
  [/ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|UNAVAILABLE/, 'connection'],
  [/socket hang up|fetch failed|network error|connection error|connection refused/i, 'connection'],
  [/not.?found|no such file|ENOENT/i, 'not_found'],
  [/internal server error|bad gateway|service unavailable|overloaded/i, 'server_error'],
];

/** "429 Rate limit…", "status code 500", "HTTP 503", "Status: 401" → the HTTP status. */
function statusInMessage(message: string): number | undefined {
  const m = /^(?:Error:\s*)?([45]\d\d)\b/.exec(message) ?? /\b(?:status(?: code)?|HTTP)[:\s]+([45]\d\d)\b/i.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** The message with what varies between occurrences (ids, numbers, quoted values) taken out. */
export function normalizeErrorMessage(message: string): string {
  return message
    .split('\n', 1)[0]!
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b(?:req|resp|call|chatcmpl|run)_[A-Za-z0-9]+/g, '<id>')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<id>')
    .replace(/(["'`])(?:(?!\1).){1,80}\1/g, '<value>')
    .replace(/\b\d+(?:\.\d+)?(?:ms|s)?\b/g, (n) => (/^[45]\d\d$/.test(n) ? n : '<n>'))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Adds the cause fields to an error event that has none; leaves other events alone. */
export function addErrorCause(event: DebbieEvent): void {
  if (event.level !== 'ERROR' && event.level !== 'CRITICAL') return;
  const d = event.details;
  if (d.error_cause !== undefined) return;
  const firstLine = event.stack_trace?.split('\n', 1)[0];
  const exceptionType = firstLine && /^([\w.$]+)(?::|$)/.exec(firstLine)?.[1];
  const type = str(d['error.type']) ?? str(d.error_type) ?? (exceptionType && exceptionType !== 'Error' ? exceptionType : undefined);
  const message = str(d.status_message) ?? str(d.error) ?? (firstLine ? firstLine.replace(/^[\w.$]+:\s*/, '') : undefined) ?? event.event_summary;
  let status: number | undefined;
  for (const key of HTTP_STATUS_KEYS) {
    status = toNumber(d[key]);
    if (status !== undefined) break;
  }
  status ??= toNumber(type) ?? (message ? statusInMessage(message) : undefined);
  let cause = status !== undefined ? causeOfStatus(status) : undefined;
  const text = `${type ?? ''} ${message ?? ''}`;
  if (!cause)
    for (const [re, c] of MESSAGE_CAUSES)
      if (re.test(text)) {
        cause = c;
        break;
      }
  d.error_cause = cause ?? 'other';
  if (type !== undefined) d.error_type = type;
  if (status !== undefined) d.http_status = status;
  // Redacted first: the template takes out quoted keys, after which a secret's key is unrecognisable.
  if (message) d.error_message = normalizeErrorMessage(redactString(message));
  delete d['error.type'];
}
