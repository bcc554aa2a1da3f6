import { readFile, stat } from 'node:fs/promises';
import { DebbieError, type DebbieEvent } from '@debbie/model';
import { getLibraryScript, PythonExecutor, type Isolation } from '@debbie/python';
import type { Command, ParsedValues } from '../Command.js';
import { loadCliConfig, pythonExecutorOptions } from '../configOptions.js';
import { CONFIG_FLAG, formatFlag, outputFormat, READER_FLAGS, resolvePath, SESSION_FLAG, sessionValue } from '../flags.js';
import { openReader, writeOut } from '../readerOptions.js';
import { resolveSession } from '../resolveSession.js';
import { startProgress } from '../progress.js';
import { recordEvent } from '../recordEvent.js';

const MAX_SCRIPT_BYTES = 1 << 20;
const FORMATS = ['text', 'json'] as const;

/** `--param k=v`: values that parse as JSON (numbers, true, null, lists) are taken as such. */
export function parseParams(raw: ParsedValues[string]): Record<string, unknown> {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const params: Record<string, unknown> = {};
  for (const item of items) {
    if (typeof item !== 'string') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new DebbieError('invalid_option', `"${item}" is not KEY=VALUE`, '--param');
    const key = item.slice(0, eq).trim();
    const text = item.slice(eq + 1);
    try {
      params[key] = JSON.parse(text);
    } catch {
      params[key] = text;
    }
  }
  return params;
}

async function loadScript(values: ParsedValues, positionals: string[], resolvePath: (p: string) => string): Promise<{ source: string; name: string }> {
  const library = typeof values.library === 'string' ? values.library : undefined;
  if (library && positionals.length > 0) throw new DebbieError('invalid_option', 'give either a script FILE or --library NAME, not both');
  if (positionals.length > 1) throw new DebbieError('invalid_option', `one script at a time (got ${positionals.length} files)`);
  if (library) {
    const script = getLibraryScript(library);
    return { source: script.source, name: script.name };
  }
  const file = positionals[0];
  if (!file) throw new DebbieError('missing_option', 'give a script FILE or --library NAME (list the library with `debbie scripts`)');
  const path = resolvePath(file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DebbieError('file_not_found', `no script file at ${path}`, file);
  if (info.size > MAX_SCRIPT_BYTES) throw new DebbieError('invalid_option', `the script is ${info.size} bytes, over the ${MAX_SCRIPT_BYTES}-byte cap`, file);
  return { source: await readFile(path, 'utf8'), name: file };
}

export const runScriptCommand: Command = {
  name: 'run-script',
  summary: 'Run a Python script (or a library script) over a session, inside the sandbox.',
  usage: '(FILE | --library NAME) --session ID [--param K=V]… [--timeout S] [--store PATH | --url URL] [--format text|json]',
  description: [
    'The script runs in /usr/bin/python3 inside bubblewrap (no network, read-only system, one',
    'writable work directory, memory and CPU capped) and sees the session as `logs` (attribute',
    'access: log.source, log.timestamp, log.details …), `df` (a pandas DataFrame), `session`,',
    '`params`, and `LogSource`. Its imports are limited to an allow-list.',
    'Exit code 1 when the script fails (its error and traceback go to stderr).',
    '',
    'Examples (on the store `debbie demo` writes; my_analysis.py is a script of yours):',
    '  debbie run-script --library find_errors --session 94988082',
    '  debbie run-script my_analysis.py --session b7d9a88c --timeout 60',
    '  debbie run-script --library trace_request --session 94988082 --param correlation_id=94988082-turn-1 --format json',
  ].join('\n'),
  positionals: true,
  options: {
    library: { type: 'string', value: 'NAME', description: 'run this library script (see `debbie scripts`) instead of a FILE' },
    session: { ...SESSION_FLAG, description: `${SESSION_FLAG.description} (required)` },
    param: { type: 'string', value: 'K=V', multiple: true, description: 'a script parameter (JSON values are parsed: 500, true, "x")' },
    timeout: { type: 'string', value: 'S', description: 'wall-clock limit in seconds (default: debbie_config.python_execution.timeout, 30)' },
    'memory-mb': { type: 'string', value: 'MB', description: 'memory limit of the interpreter (default: debbie_config.python_execution.memory_limit, 512)' },
    isolation: {
      type: 'string',
      value: 'bubblewrap|none',
      default: 'bubblewrap',
      description: "'none' runs without the sandbox: only for scripts you trust (default bubblewrap)",
    },
    ...READER_FLAGS,
    format: formatFlag(FORMATS, 'text'),
    config: CONFIG_FLAG,
  },
  async run(values, positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    // debbie_config.python_execution: enabled, timeout, memory_limit, allowed_imports, python.
    const configured = pythonExecutorOptions(loadCliConfig(values, io).python);
    if (!configured.enabled)
      throw new DebbieError('python_disabled', 'python_execution is disabled in the configuration (debbie_config.python_execution.enabled)', '--config');
    const sessionId = sessionValue(values);
    if (!sessionId) throw new DebbieError('missing_option', 'give --session ID (list them with `debbie sessions`)');
    const timeoutS = values.timeout === undefined ? configured.timeoutMs! / 1000 : Number(values.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0)
      throw new DebbieError('invalid_option', `"${values.timeout}" is not a positive number of seconds`, '--timeout');
    const memoryMb = values['memory-mb'] === undefined ? configured.memoryLimitMb! : Number(values['memory-mb']);
    if (!Number.isInteger(memoryMb) || memoryMb < 64)
      throw new DebbieError('invalid_option', `"${values['memory-mb']}" is not a whole number of MB ≥ 64`, '--memory-mb');
    const isolation = (values.isolation ?? 'bubblewrap') as Isolation;
    if (isolation !== 'bubblewrap' && isolation !== 'none') throw new DebbieError('invalid_option', `"${isolation}" is not bubblewrap or none`, '--isolation');
    const params = parseParams(values.param);
    const script = await loadScript(values, positionals, (p) => resolvePath(io, p));
    let runEvent: DebbieEvent | undefined;
    const executor = new PythonExecutor({
      timeoutMs: timeoutS * 1000,
      memoryLimitMb: memoryMb,
      isolation,
      allowedImports: configured.allowedImports!,
      pythonPath: configured.pythonPath!,
      sink: {
        write: (e) => {
          runEvent = e;
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    });

    const reader = await openReader(values, io);
    let result;
    const progress = startProgress(io, 'run-script', () => `running ${script.name}`);
    try {
      const summary = await resolveSession(reader, sessionId);
      result = await executor.execute(script.source, {
        logs: reader.streamEvents({ sessionId: summary.session_id }, { batchSize: 1000 }),
        session: { ...summary },
        params,
        sessionId: summary.session_id,
        scriptName: script.name,
      });
    } finally {
      progress.stop();
      await reader.close();
    }
    if (runEvent) await recordEvent(runEvent, values, io, 'run-script');

    if (format === 'json') {
      await writeOut(io, `${JSON.stringify(result, null, 2)}\n`);
    } else {
      await writeOut(io, result.output);
      if (result.output_truncated) io.stderr.write(`[output truncated: ${result.output_bytes} bytes printed, first ${result.output.length} kept]\n`);
      if (result.stderr) io.stderr.write(result.stderr);
      if (result.events_dropped) io.stderr.write(`[${result.events_dropped} events past the limit were not given to the script]\n`);
    }
    if (result.error) {
      io.stderr.write(`debbie run-script: the script failed: ${result.error}\n${format === 'text' && result.traceback ? result.traceback : ''}`);
      return 1;
    }
    return 0;
  },
};
