/** What the prelude writes to its result pipe (untrusted: the script can write there too). */
export interface PreludeResult {
  error: { type: string; message: string; traceback: string | null } | null;
  variables: Record<string, unknown>;
  variables_omitted: string[];
  variables_error?: string;
  execution_time: number;
  setup_time: number;
  events_loaded: number;
  events_skipped: number;
}

/**
 * Parses what the prelude wrote to its result pipe (untrusted: the script runs in the same
 * process and could write there too). Returns a string saying what was wrong when nothing came,
 * it was over the cap or malformed.
 */
export function parsePreludeResult(text: string, total: number, maxBytes: number): PreludeResult | string {
  if (total === 0) return 'the script produced no result (the interpreter died before the prelude finished)';
  if (total > maxBytes) return `the result is ${total} bytes, over the ${maxBytes}-byte cap`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `the result is not valid JSON (${(error as Error).message})`;
  }
  return validate(parsed);
}

function validate(value: unknown): PreludeResult | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the result is not an object';
  const v = value as Record<string, unknown>;
  const variables = v.variables;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return 'the result: variables is not an object';
  let error: PreludeResult['error'] = null;
  if (v.error !== null && v.error !== undefined) {
    const e = v.error as Record<string, unknown>;
    if (typeof e !== 'object' || typeof e.message !== 'string') return 'the result: error has no message';
    error = {
      type: typeof e.type === 'string' ? e.type : 'Error',
      message: e.message,
      traceback: typeof e.traceback === 'string' ? e.traceback : null,
    };
  }
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  return {
    error,
    variables: variables as Record<string, unknown>,
    variables_omitted: Array.isArray(v.variables_omitted) ? v.variables_omitted.filter((n): n is string => typeof n === 'string') : [],
    ...(typeof v.variables_error === 'string' ? { variables_error: v.variables_error } : {}),
    execution_time: num(v.execution_time),
    setup_time: num(v.setup_time),
    events_loaded: num(v.events_loaded),
    events_skipped: num(v.events_skipped),
  };
}
