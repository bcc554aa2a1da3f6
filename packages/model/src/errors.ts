/**
 * Every code a DebbieError can carry: one declared name per failure, no synonyms
 * (not `session_missing` beside `session_not_found`). Add a code here rather than inventing one at
 * the throw site; `docs/cli.md` explains how codes map to exit statuses.
 */
export const DEBBIE_ERROR_CODES = [
  'binary_input',
  'collector_error',
  'collector_overloaded',
  'collector_unreachable',
  'export_auth_failed',
  'export_bad_response',
  'export_not_acknowledged',
  'export_rejected',
  'export_unreachable',
  'event_not_found',
  'export_write_failed',
  'file_not_found',
  'insecure_bind',
  'invalid_alert',
  'invalid_arguments',
  'invalid_config',
  'invalid_event',
  'invalid_filter',
  'invalid_focus',
  'invalid_format',
  'invalid_grep',
  'invalid_log_format',
  'invalid_logger_source',
  'invalid_option',
  'invalid_port',
  'invalid_script',
  'invalid_time_range',
  'invalid_token',
  'invalid_url',
  'listen_failed',
  'missing_option',
  'no_files',
  'no_format',
  'no_reader',
  'not_a_file',
  'not_recorded',
  'port_in_use',
  'python_disabled',
  'python_not_found',
  'sandbox_failed',
  'sandbox_unavailable',
  'session_ambiguous',
  'session_not_found',
  'store_closed',
  'store_invalid',
  'store_locked',
  'store_missing',
  'store_open_failed',
  'store_query_failed',
  'store_read_only',
  'store_unavailable',
  'store_version',
  'store_write_failed',
  'stream_closed',
  'stream_error',
  'stream_lost',
  'stream_refused',
  'stream_unauthorized',
  'stream_unreachable',
  'subscribe_failed',
  'token_required',
  'too_many_subscribers',
  'unknown_scenario',
  'unknown_script',
  'unknown_variant',
  'unparseable_line',
  'unsupported_signal',
] as const;

export type DebbieErrorCode = (typeof DEBBIE_ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(DEBBIE_ERROR_CODES);

/** Whether a code that came over the wire (stream control message, API error body) is one of ours. */
export function isDebbieErrorCode(code: unknown): code is DebbieErrorCode {
  return typeof code === 'string' && KNOWN.has(code);
}

/** A user-facing error with a stable code; `where` says which record, field or line was wrong. */
export class DebbieError extends Error {
  readonly code: DebbieErrorCode;
  readonly where: string | undefined;

  constructor(code: DebbieErrorCode, message: string, where?: string) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'DebbieError';
    this.code = code;
    this.where = where;
  }
}
