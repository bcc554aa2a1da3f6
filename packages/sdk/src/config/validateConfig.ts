import { parseLogLevel, type LogLevel } from '@debbie/model';
import { ConfigError } from './ConfigError.js';
import { LineFormatter } from './LineFormatter.js';
import {
  defaultConfig,
  defaultSettings,
  type DebbieConfig,
  type FormatterConfig,
  type HandlerConfig,
  type LoggerConfig,
  type PythonExecutionConfig,
} from './DebbieConfig.js';

type Obj = Record<string, unknown>;

const HANDLER_CLASSES: Record<string, HandlerConfig['class']> = {
  console: 'console',
  'logging.StreamHandler': 'console',
  rotating_file: 'rotating_file',
  'logging.handlers.RotatingFileHandler': 'rotating_file',
  realtime: 'realtime',
  'aiwhisperer.logging.RealtimeHandler': 'realtime',
  'debbie.RealtimeHandler': 'realtime',
};

class Reader {
  constructor(readonly file: string | undefined) {}

  fail(path: string, message: string): never {
    throw new ConfigError(path, message, this.file);
  }

  object(value: unknown, path: string): Obj {
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(path, `must be a mapping, got ${kind(value)}`);
    return value as Obj;
  }

  onlyKeys(o: Obj, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) this.fail(join(path, key), `unknown key; expected one of ${allowed.join(', ')}`);
    }
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string' || value === '') this.fail(path, `must be a non-empty string, got ${kind(value)}`);
    return value as string;
  }

  bool(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, `must be true or false, got ${kind(value)}`);
    return value as boolean;
  }

  number(value: unknown, path: string, min: number, integer = false): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, `must be a number, got ${kind(value)}`);
    const n = value as number;
    if (integer && !Number.isInteger(n)) this.fail(path, `must be a whole number, got ${n}`);
    if (n < min) this.fail(path, `must be at least ${min}, got ${n}`);
    return n;
  }

  level(value: unknown, path: string): LogLevel {
    const level = typeof value === 'string' ? parseLogLevel(value) : undefined;
    if (!level) this.fail(path, `must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got ${kind(value)}`);
    return level as LogLevel;
  }

  bytes(value: unknown, path: string): number {
    if (typeof value === 'number') return this.number(value, path, 1, true);
    const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|K|MB|MiB|M|GB|GiB|G)?\s*$/i.exec(value) : null;
    if (!m) this.fail(path, `must be a size such as 512MB or 1GB, got ${kind(value)}`);
    const unit = (m![2] ?? 'B').toUpperCase().replace('IB', 'B');
    const scale = unit.startsWith('K') ? 1024 : unit.startsWith('M') ? 1024 ** 2 : unit.startsWith('G') ? 1024 ** 3 : 1;
    return Math.round(Number(m![1]) * scale);
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/**
 * Validates a parsed debbie.yaml and fills defaults. Accepts the seed's layout (everything
 * under `logging:`) or the same keys at the top level. Throws ConfigError naming the bad key.
 */
export function validateConfig(input: unknown, file?: string): DebbieConfig {
  const r = new Reader(file);
  let root = r.object(input, '');
  let base = '';
  if ('logging' in root) {
    r.onlyKeys(root, ['logging'], '');
    root = r.object(root.logging, 'logging');
    base = 'logging';
  }
  r.onlyKeys(root, ['version', 'formatters', 'handlers', 'loggers', 'debbie_config', 'disable_existing_loggers'], base);
  if (root.version !== undefined && root.version !== 1) r.fail(join(base, 'version'), `must be 1, got ${kind(root.version)}`);

  const defaults = defaultConfig();
  const formatters: Record<string, FormatterConfig> = root.formatters === undefined ? defaults.formatters : {};
  for (const [name, raw] of Object.entries(r.object(root.formatters, join(base, 'formatters')))) {
    const path = join(base, `formatters.${name}`);
    const f = r.object(raw, path);
    r.onlyKeys(f, ['format', 'datefmt'], path);
    const formatter = {
      format: r.string(f.format, join(path, 'format')),
      datefmt: f.datefmt === undefined ? '%Y-%m-%d %H:%M:%S.%f' : r.string(f.datefmt, join(path, 'datefmt')),
    };
    try {
      new LineFormatter(formatter.format, formatter.datefmt);
    } catch (error) {
      r.fail(join(path, 'format'), (error as Error).message);
    }
    formatters[name] = formatter;
  }

  // A file without handlers or loggers routes events nowhere (only the built-in default prints).
  const handlers: Record<string, HandlerConfig> = {};
  for (const [name, raw] of Object.entries(r.object(root.handlers, join(base, 'handlers')))) {
    handlers[name] = readHandler(r, r.object(raw, join(base, `handlers.${name}`)), join(base, `handlers.${name}`), formatters);
  }

  const loggers: Record<string, LoggerConfig> = {};
  for (const [name, raw] of Object.entries(r.object(root.loggers, join(base, 'loggers')))) {
    const path = join(base, `loggers.${name}`);
    if (name !== 'debbie' && !name.startsWith('debbie.')) r.fail(path, 'logger names start with "debbie" (debbie, debbie.commentary, debbie.tool, …)');
    const l = r.object(raw, path);
    r.onlyKeys(l, ['level', 'handlers', 'propagate'], path);
    const list = l.handlers ?? [];
    if (!Array.isArray(list)) r.fail(join(path, 'handlers'), `must be a list of handler names, got ${kind(list)}`);
    (list as unknown[]).forEach((h, i) => {
      if (typeof h !== 'string' || !(h in handlers)) {
        r.fail(`${join(path, 'handlers')}[${i}]`, `unknown handler ${kind(h)}; defined: ${Object.keys(handlers).join(', ') || 'none'}`);
      }
    });
    loggers[name] = {
      level: l.level === undefined ? 'DEBUG' : r.level(l.level, join(path, 'level')),
      handlers: list as string[],
      propagate: l.propagate === undefined ? true : r.bool(l.propagate, join(path, 'propagate')),
    };
  }

  return { formatters, handlers, loggers, debbie_config: readSettings(r, root.debbie_config, join(base, 'debbie_config')), source: file };
}

function readHandler(r: Reader, h: Obj, path: string, formatters: Record<string, FormatterConfig>): HandlerConfig {
  const cls = typeof h.class === 'string' ? HANDLER_CLASSES[h.class] : undefined;
  if (!cls) r.fail(join(path, 'class'), `must be one of ${Object.keys(HANDLER_CLASSES).join(', ')}, got ${kind(h.class)}`);
  const level = h.level === undefined ? 'DEBUG' : r.level(h.level, join(path, 'level'));
  let formatter: string | undefined;
  if (h.formatter !== undefined) {
    formatter = r.string(h.formatter, join(path, 'formatter'));
    if (!(formatter in formatters))
      r.fail(join(path, 'formatter'), `unknown formatter "${formatter}"; defined: ${Object.keys(formatters).join(', ') || 'none'}`);
  }
  switch (cls) {
    case 'console': {
      r.onlyKeys(h, ['class', 'level', 'formatter', 'stream'], path);
      const stream = h.stream === undefined ? 'ext://sys.stdout' : r.string(h.stream, join(path, 'stream'));
      const target = stream.replace('ext://sys.', '');
      if (target !== 'stdout' && target !== 'stderr') r.fail(join(path, 'stream'), `must be ext://sys.stdout or ext://sys.stderr, got "${stream}"`);
      return { class: 'console', level, formatter, stream: target as 'stdout' | 'stderr' };
    }
    case 'rotating_file':
      r.onlyKeys(h, ['class', 'level', 'formatter', 'filename', 'maxBytes', 'backupCount', 'encoding'], path);
      if (h.encoding !== undefined && String(h.encoding).toLowerCase().replace('-', '') !== 'utf8') r.fail(join(path, 'encoding'), 'only utf-8 is supported');
      return {
        class: 'rotating_file',
        level,
        formatter,
        filename: r.string(h.filename, join(path, 'filename')),
        maxBytes: h.maxBytes === undefined ? 0 : r.number(h.maxBytes, join(path, 'maxBytes'), 0, true),
        backupCount: h.backupCount === undefined ? 0 : r.number(h.backupCount, join(path, 'backupCount'), 0, true),
      };
    default:
      r.onlyKeys(h, ['class', 'level', 'formatter', 'buffer_size', 'stream_port', 'host'], path);
      return {
        class: 'realtime',
        level,
        formatter,
        buffer_size: h.buffer_size === undefined ? 10_000 : r.number(h.buffer_size, join(path, 'buffer_size'), 1, true),
        stream_port: h.stream_port === undefined ? 9999 : r.number(h.stream_port, join(path, 'stream_port'), 0, true),
        host: h.host === undefined ? '127.0.0.1' : r.string(h.host, join(path, 'host')),
      };
  }
}

function readSettings(r: Reader, raw: unknown, path: string): DebbieConfig['debbie_config'] {
  const s = defaultSettings();
  const o = r.object(raw, path);
  r.onlyKeys(o, ['aggregation', 'sessions', 'commentary', 'python_execution'], path);

  const agg = r.object(o.aggregation, join(path, 'aggregation'));
  r.onlyKeys(agg, ['correlation_timeout', 'buffer_size'], join(path, 'aggregation'));
  if (agg.correlation_timeout !== undefined)
    s.aggregation.correlation_timeout = r.number(agg.correlation_timeout, join(path, 'aggregation.correlation_timeout'), 1);
  if (agg.buffer_size !== undefined) s.aggregation.buffer_size = r.number(agg.buffer_size, join(path, 'aggregation.buffer_size'), 1, true);

  const ses = r.object(o.sessions, join(path, 'sessions'));
  r.onlyKeys(ses, ['keys'], join(path, 'sessions'));
  if (ses.keys !== undefined) {
    if (!Array.isArray(ses.keys)) r.fail(join(path, 'sessions.keys'), `must be a list of attribute names, got ${kind(ses.keys)}`);
    s.sessions.keys = (ses.keys as unknown[]).map((k, i) => {
      if (typeof k !== 'string' || k.trim() === '') r.fail(`${join(path, 'sessions.keys')}[${i}]`, `must be an attribute name, got ${kind(k)}`);
      return k as string;
    });
  }

  // @debbie/commentary owns this section's keys and defaults (resolveCommentaryConfig); kept as given.
  s.commentary = { ...r.object(o.commentary, join(path, 'commentary')) };

  const p = r.object(o.python_execution, join(path, 'python_execution'));
  const pp = join(path, 'python_execution');
  r.onlyKeys(p, ['enabled', 'timeout', 'memory_limit', 'allowed_imports', 'python'], pp);
  const py: PythonExecutionConfig = s.python_execution;
  if (p.enabled !== undefined) py.enabled = r.bool(p.enabled, join(pp, 'enabled'));
  if (p.timeout !== undefined) py.timeout = r.number(p.timeout, join(pp, 'timeout'), 0.1);
  if (p.memory_limit !== undefined) py.memory_limit = r.bytes(p.memory_limit, join(pp, 'memory_limit'));
  if (p.python !== undefined) py.python = r.string(p.python, join(pp, 'python'));
  if (p.allowed_imports !== undefined) {
    if (!Array.isArray(p.allowed_imports)) r.fail(join(pp, 'allowed_imports'), `must be a list of module names, got ${kind(p.allowed_imports)}`);
    py.allowed_imports = (p.allowed_imports as unknown[]).map((m, i) => {
      if (typeof m !== 'string' || !/^[A-Za-z_][\w.]*$/.test(m)) r.fail(`${join(pp, 'allowed_imports')}[${i}]`, `must be a module name, got ${kind(m)}`);
      return m as string;
    });
  }
  return s;
}
