import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DebbieError, parseFilter, type EventFilter, type EventReader } from '@debbie/model';
import { DEFAULT_STORE_PATH, openStore } from '@debbie/store';
import { QueryClient } from '@debbie/collector';
import type { CommandIO, OptionSpec, ParsedValues } from './Command.js';

/** Where a reading command gets its events: the embedded store file, or a running collector. */
export const READER_OPTIONS: Record<string, OptionSpec> = {
  store: { type: 'string', value: 'PATH', default: DEFAULT_STORE_PATH, description: `DuckDB store to read (default ${DEFAULT_STORE_PATH})` },
  url: { type: 'string', value: 'URL', description: 'query API of a running `debbie collect` (instead of --store), e.g. http://127.0.0.1:4318' },
};

export const FORMAT_OPTION: Record<string, OptionSpec> = {
  format: { type: 'string', value: 'text|json', default: 'text', description: 'output: readable text, or one JSON array (default text)' },
};

/** The shared event filter flags (model's EventFilter). */
export const FILTER_OPTIONS: Record<string, OptionSpec> = {
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

const str = (v: ParsedValues[string]): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: ParsedValues[string]): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : undefined;

/** Builds a validated EventFilter from the filter flags (and `--session` when the command has it). */
export function filterFromValues(values: ParsedValues): EventFilter {
  return parseFilter({
    source: strs(values.source), level: strs(values.level), minLevel: str(values['min-level']),
    session: str(values.session), agent: str(values.agent), correlation: str(values.correlation),
    since: str(values.since), until: str(values.until), text: str(values.grep), tag: strs(values.tag),
  });
}

/** `--format`, validated. */
export function formatFromValues(values: ParsedValues): 'text' | 'json' {
  const format = str(values.format) ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new DebbieError('invalid_option', `unknown format "${format}"; expected text or json`, '--format');
  }
  return format;
}

/**
 * Opens the reader the flags name: a running collector for `--url`, else the store at `--store`
 * (relative to the working directory), read-only. Close it when done.
 */
export async function openReader(values: ParsedValues, io: CommandIO): Promise<EventReader> {
  const url = str(values.url);
  if (url) return new QueryClient({ url, token: io.env.DEBBIE_TOKEN || undefined });
  const path = resolve(io.cwd, str(values.store) ?? DEFAULT_STORE_PATH);
  if (!existsSync(path)) {
    throw new DebbieError('store_missing', `no store at ${path}; run \`debbie demo\` to create one, or pass --store PATH (or --url of a running collector)`, '--store');
  }
  return openStore(path, { readOnly: true });
}

/** Writes to a stream, waiting when it asks us to (large outputs piped to `head`, files). */
export async function writeOut(io: CommandIO, text: string): Promise<void> {
  if (!io.stdout.write(text)) {
    await new Promise<void>((done) => {
      const finish = () => {
        io.stdout.off('drain', finish);
        io.stdout.off('error', finish);
        io.stdout.off('close', finish);
        done();
      };
      io.stdout.once('drain', finish);
      io.stdout.once('error', finish);
      io.stdout.once('close', finish);
    });
  }
}
