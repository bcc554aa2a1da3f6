import { DebbieError, isLogSource, LOG_SOURCES, type LogSource } from '@debbie/model';

/** A rule mapping logger names to a source: `pattern` is a glob (`aiwhisperer.tools.*`), case-insensitive. */
export interface LoggerSourceRule {
  pattern: string;
  source: LogSource;
}

/** Sensible defaults for AIWhisperer's `aiwhisperer.*` loggers and common library names; first match wins. */
export const DEFAULT_LOGGER_SOURCES: readonly LoggerSourceRule[] = [
  { pattern: '*debbie*', source: 'debbie' },
  { pattern: '*websocket*', source: 'websocket' },
  { pattern: '*json_rpc*', source: 'websocket' },
  { pattern: '*jsonrpc*', source: 'websocket' },
  { pattern: 'uvicorn.access', source: 'websocket' },
  { pattern: '*tool*', source: 'tool' },
  { pattern: '*ai_service*', source: 'ai_service' },
  { pattern: '*ai_loop*', source: 'ai_service' },
  { pattern: '*openrouter*', source: 'ai_service' },
  { pattern: '*openai*', source: 'ai_service' },
  { pattern: '*llm*', source: 'ai_service' },
  { pattern: '*agent*', source: 'agent' },
  { pattern: '*session*', source: 'session' },
  { pattern: '*python_exec*', source: 'python_exec' },
  { pattern: '*', source: 'server' },
];

function globToRegex(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

/** Parses `PATTERN=SOURCE` (the --logger-source flag). */
export function parseLoggerSourceRule(text: string): LoggerSourceRule {
  const eq = text.lastIndexOf('=');
  const pattern = text.slice(0, eq).trim();
  const source = text.slice(eq + 1).trim();
  if (eq <= 0 || !pattern)
    throw new DebbieError('invalid_logger_source', `"${text}" is not PATTERN=SOURCE (e.g. "aiwhisperer.tools.*=tool")`, '--logger-source');
  if (!isLogSource(source))
    throw new DebbieError('invalid_logger_source', `unknown source "${source}"; expected one of ${LOG_SOURCES.join(', ')}`, '--logger-source');
  return { pattern, source };
}

/** Maps logger names to sources: the given rules first, then the defaults. Results are cached (bounded). */
export class LoggerSourceMap {
  private readonly rules: { regex: RegExp; source: LogSource }[];
  private readonly cache = new Map<string, LogSource>();

  constructor(rules: readonly LoggerSourceRule[] = []) {
    this.rules = [...rules, ...DEFAULT_LOGGER_SOURCES].map((r) => ({ regex: globToRegex(r.pattern), source: r.source }));
  }

  sourceFor(loggerName: string | undefined): LogSource {
    if (!loggerName) return 'server';
    const hit = this.cache.get(loggerName);
    if (hit) return hit;
    const source = this.rules.find((r) => r.regex.test(loggerName))?.source ?? 'server';
    if (this.cache.size < 10_000) this.cache.set(loggerName, source);
    return source;
  }
}
