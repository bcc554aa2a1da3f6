import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** What the prelude writes to result.json (untrusted: the script can overwrite it). */
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
 * Reads the prelude's result.json without following links (the sandboxed script owns the work
 * directory and could plant a symlink to a host file) and with a size cap. Returns a string
 * saying what was wrong when the file is missing, oversized or malformed.
 */
export async function readPreludeResult(path: string, maxBytes: number): Promise<PreludeResult | string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'the script produced no result (the interpreter died before the prelude finished)';
    return `result.json could not be opened (${code ?? String(error)})`;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return 'result.json is not a regular file';
    if (info.size > maxBytes) return `result.json is ${info.size} bytes, over the ${maxBytes}-byte cap`;
    const text = await handle.readFile('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return `result.json is not valid JSON (${(error as Error).message})`;
    }
    return validate(parsed);
  } finally {
    await handle.close();
  }
}

function validate(value: unknown): PreludeResult | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'result.json is not an object';
  const v = value as Record<string, unknown>;
  const variables = v.variables;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return 'result.json: variables is not an object';
  let error: PreludeResult['error'] = null;
  if (v.error !== null && v.error !== undefined) {
    const e = v.error as Record<string, unknown>;
    if (typeof e !== 'object' || typeof e.message !== 'string') return 'result.json: error has no message';
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
