import { isAbsolute, resolve } from 'node:path';
import { DebbieError, parseFilter, type EventFilter } from '@debbie/model';
import { DEFAULT_STORE_PATH } from '@debbie/store';
import type { CommandIO, OptionSpec, ParsedValues } from './Command.js';

/*
 * The one definition of every flag that more than one command takes, and the one way each is
 * read. A command spreads the specs it needs into its `options` and reads them back only through
 * the resolvers below, so `--store` or `--format` mean the same thing and resolve the same way
 * (relative paths against the user's working directory, io.cwd) everywhere.
 */

/** `--store`: the store to read or write. A path (relative to the working directory) or a store URL such as clickhouse://host:8123/db. */
export const STORE_FLAG: OptionSpec = {
  type: 'string',
  value: 'PATH|URL',
  description: `the store: a DuckDB file or clickhouse://[user[:password]@]host:8123/database (default $DEBBIE_STORE, else ${DEFAULT_STORE_PATH})`,
};

/** `--url`: the query API of a running `debbie collect`. */
export const URL_FLAG: OptionSpec = {
  type: 'string',
  value: 'URL',
  description: 'a running `debbie collect` (its query API, e.g. http://127.0.0.1:4318) instead of --store',
};

/** `--token`: the bearer token of that collector (for `collect`: the token it requires). */
export const TOKEN_FLAG: OptionSpec = {
  type: 'string',
  value: 'T',
  description: 'bearer token of the collector (default $DEBBIE_TOKEN)',
};

/** `--session`: a session id, or any unique prefix of one (6 characters or more). */
export const SESSION_FLAG: OptionSpec = {
  type: 'string',
  short: 's',
  value: 'ID',
  description: 'the session (an id or a unique prefix of 6+ characters; see `debbie sessions`)',
};

/** `--config`: debbie.yaml. */
export const CONFIG_FLAG: OptionSpec = {
  type: 'string',
  value: 'PATH',
  description: 'the debbie.yaml to use (default: $DEBBIE_CONFIG, else ./debbie.yaml when present, else built-in defaults)',
};

/** `--format`: always the OUTPUT format; each command names its own choices and default. */
export function formatFlag(choices: readonly string[], defaultChoice: string | undefined, what = 'output format'): OptionSpec {
  return {
    type: 'string',
    value: choices.join('|'),
    description: `${what}: ${choices.join(', ')}${defaultChoice ? ` (default ${defaultChoice})` : ' (required)'}`,
  };
}

/** The shared event filter flags (the model's EventFilter). */
export const FILTER_FLAGS: Record<string, OptionSpec> = {
  source: { type: 'string', value: 'S', multiple: true, description: 'only these sources (comma-separated or repeated): server, agent, ai_service, tool, …' },
  level: { type: 'string', value: 'L', multiple: true, description: 'only these levels (comma-separated or repeated)' },
  'min-level': { type: 'string', value: 'L', description: 'this level and above (DEBUG, INFO, WARNING, ERROR, CRITICAL)' },
  agent: { type: 'string', value: 'ID', description: 'only events of this agent' },
  correlation: { type: 'string', value: 'ID', description: 'only events with this correlation id' },
  since: { type: 'string', value: 'TS', description: 'from this ISO-8601 time (inclusive)' },
  until: { type: 'string', value: 'TS', description: 'before this ISO-8601 time (exclusive)' },
  grep: { type: 'string', value: 'TEXT', description: 'case-insensitive text in message, component, action or details' },
  tag: { type: 'string', value: 'T', multiple: true, description: 'events carrying every tag given' },
};

/** Where a reading command gets its events: the store, or a running collector. */
export const READER_FLAGS: Record<string, OptionSpec> = { store: STORE_FLAG, url: URL_FLAG, token: TOKEN_FLAG };

/** A string flag's value ('' counts as absent). */
export const str = (v: ParsedValues[string]): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A repeatable string flag's values. */
export const strs = (v: ParsedValues[string]): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : undefined;

/** A path the user typed, resolved against the directory they typed it in. */
export function resolvePath(io: CommandIO, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** True for a store URL (clickhouse://…, http://…) as opposed to a file path. */
export function isStoreUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

/** `--store` (else $DEBBIE_STORE): a store URL as given, else the file path resolved against the working directory. */
export function storeLocation(values: ParsedValues, io: CommandIO): string {
  const given = str(values.store) ?? (io.env.DEBBIE_STORE || DEFAULT_STORE_PATH);
  return isStoreUrl(given) ? given : resolvePath(io, given);
}

/** `--url`: the collector's query API, or undefined to use the store. */
export function collectorUrl(values: ParsedValues): string | undefined {
  return str(values.url);
}

/** `--token`, else $DEBBIE_TOKEN. */
export function collectorToken(values: ParsedValues, io: CommandIO): string | undefined {
  return str(values.token) ?? (io.env.DEBBIE_TOKEN || undefined);
}

/** `--format`, checked against the command's choices. */
export function outputFormat<T extends string>(values: ParsedValues, choices: readonly T[], defaultChoice: T): T {
  const format = str(values.format) ?? defaultChoice;
  if (!(choices as readonly string[]).includes(format)) {
    throw new DebbieError('invalid_option', `unknown format "${format}"; expected ${choices.join(', ')}`, '--format');
  }
  return format as T;
}

/** `--session` as typed (resolve a prefix with resolveSession before use). */
export function sessionValue(values: ParsedValues): string | undefined {
  return str(values.session);
}

/** `--session`, required. */
export function requireSession(values: ParsedValues): string {
  const session = sessionValue(values);
  if (!session) throw new DebbieError('missing_option', 'is required (run `debbie sessions` to list session ids)', '--session');
  return session;
}

/** A flag that takes a whole number ≥ min; undefined when absent. */
export function wholeNumber(values: ParsedValues, name: string, min = 0): number | undefined {
  const raw = str(values[name]);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new DebbieError('invalid_option', `"${raw}" is not a whole number${min > 0 ? ` ≥ ${min}` : ''}`, `--${name}`);
  }
  return n;
}

/** Builds a validated EventFilter from the filter flags (and `--session` when the command has it). */
export function filterFromValues(values: ParsedValues): EventFilter {
  return parseFilter({
    source: strs(values.source),
    level: strs(values.level),
    minLevel: str(values['min-level']),
    session: str(values.session),
    agent: str(values.agent),
    correlation: str(values.correlation),
    since: str(values.since),
    until: str(values.until),
    text: str(values.grep),
    tag: strs(values.tag),
  });
}
