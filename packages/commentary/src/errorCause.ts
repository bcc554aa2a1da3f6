import { normalizeErrorMessage, type DebbieEvent } from '@debbie/model';
import { messageTemplate } from './templates.js';

/** Why an error happened, as the commentary groups and advises on it. */
export interface ErrorCauseView {
  /** The group: one per cause (and status/type), or per message template when the cause is unknown. */
  key: string;
  /** rate_limit, unauthorized, forbidden, timeout, server_error, connection, bad_request, not_found, cancelled, other. */
  cause: string;
  /** "rate limit (HTTP 429)", "timeout (TimeoutError)" … */
  label: string;
  /** What to do about this cause. */
  advice: string[];
  /** The error text. */
  text: string;
}

const ADVICE: Record<string, string[]> = {
  rate_limit: [
    'Rate limit: back off and retry after the Retry-After delay, lower the request rate or concurrency',
    'Ask the provider for a higher quota if it keeps happening',
  ],
  unauthorized: ['Authentication failed: check the API key or token (set, not expired, for this endpoint); retrying will not help'],
  forbidden: ['Permission denied: check what the key or account is allowed to do (model access, organisation, region); retrying will not help'],
  timeout: [
    'Timeout: raise the client timeout or make the request smaller (shorter prompt, fewer tokens), then retry',
    "Check the provider's or service's latency",
  ],
  server_error: [
    'Server error (5xx) on the provider side: retry with exponential backoff',
    "Check the provider's status page; switch to a fallback model if it persists",
  ],
  connection: ['Connection failure: check the network path, DNS and proxy to the service; retry with backoff'],
  bad_request: ['Bad request (4xx): the request itself is wrong (parameters, schema, size); fix it rather than retry'],
  not_found: ['Not found: check the model, endpoint or resource name'],
  cancelled: ['The call was cancelled: check what aborted it (a timeout upstream, the user, shutdown)'],
};

const LABEL: Record<string, string> = {
  rate_limit: 'rate limit',
  unauthorized: 'authentication failed',
  forbidden: 'permission denied',
  timeout: 'timeout',
  server_error: 'server error',
  connection: 'connection failure',
  bad_request: 'bad request',
  not_found: 'not found',
  cancelled: 'cancelled',
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The cause of an error event, from the fields the model's foreign conversion adds
 * (`error_cause`, `error_type`, `http_status`, `error_message`); without them, the message
 * template (ids, numbers and paths masked) is the group, as before.
 */
export function errorCauseOf(event: DebbieEvent): ErrorCauseView {
  const d = event.details;
  const raw = str(d.error) ?? str(d.status_message) ?? event.event_summary;
  const text = str(d.error_message) ?? raw;
  const cause = str(d.error_cause);
  const status = typeof d.http_status === 'number' ? d.http_status : undefined;
  const type = str(d.error_type);
  if (cause !== undefined && cause !== 'other') {
    const label = `${LABEL[cause] ?? cause}${status !== undefined ? ` (HTTP ${status})` : type !== undefined ? ` (${type})` : ''}`;
    return { key: `${cause}|${status ?? ''}|${type ?? ''}`, cause, label, advice: ADVICE[cause] ?? [], text: raw };
  }
  const normalized = cause === 'other' ? normalizeErrorMessage(text) : messageTemplate(text);
  const label = type !== undefined ? `${type}: ${normalized}` : normalized;
  return { key: `${event.component}: ${type ? `${type}: ` : ''}${normalized}`, cause: 'other', label, advice: [], text: raw };
}
