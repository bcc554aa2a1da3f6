import { DebbieError } from '@debbie/model';

/** The fields one log line yielded, by Python LogRecord attribute name (asctime, levelname, name, message, …). */
export type LogFields = Record<string, string>;

/** A Python logging format string compiled into a line matcher. */
export interface CompiledLogFormat {
  format: string;
  fields: string[];
  /** Matches the first line of a record. */
  regex: RegExp;
  parse(line: string): LogFields | undefined;
}

// What each LogRecord attribute looks like in a line.
const FIELD_PATTERNS: Record<string, string> = {
  asctime: String.raw`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?`,
  levelname: String.raw`[A-Za-z]+`,
  levelno: String.raw`\d+`,
  name: String.raw`[^\s\[\]]+`,
  module: String.raw`[\w.<>-]+`,
  funcName: String.raw`[\w.<>-]+`,
  filename: String.raw`[^\s:]+`,
  pathname: String.raw`[^\s:]+`,
  threadName: String.raw`\S+`,
  processName: String.raw`\S+`,
  source: String.raw`[a-z_]+`,
  component: String.raw`[^\]]*`,
};
const NUMERIC = /^[dif]$/;

const PLACEHOLDER = /%\((\w+)\)([-#0 +]*\d*(?:\.\d+)?)([sdfrixXeEgGa])|%%/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, String.raw`\s+`);
}

/**
 * Compiles a Python `logging` format string (`%(asctime)s %(name)s - %(levelname)s - %(message)s`)
 * into a parser for the first line of each record. Width modifiers (`%(levelname)-8s`) are
 * allowed; `%%` is a literal percent. Throws DebbieError `invalid_log_format` when the string has
 * no `%(message)s` or names a field twice.
 */
export function compileLogFormat(format: string): CompiledLogFormat {
  const fields: string[] = [];
  let pattern = '^';
  let last = 0;
  const placeholders = [...format.matchAll(PLACEHOLDER)];
  for (let i = 0; i < placeholders.length; i++) {
    const m = placeholders[i]!;
    pattern += escapeRegex(format.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[0] === '%%') {
      pattern += '%';
      continue;
    }
    const [, field, flags, conv] = m as unknown as [string, string, string, string];
    if (fields.includes(field)) throw new DebbieError('invalid_log_format', `field %(${field}) appears twice in "${format}"`, '--log-format');
    fields.push(field);
    const isLast = i === placeholders.length - 1 && format.slice(last).trim() === '';
    let body: string;
    if (field === 'message' || field === 'details') body = isLast ? '.*' : '.*?';
    else if (FIELD_PATTERNS[field]) body = FIELD_PATTERNS[field]!;
    else if (NUMERIC.test(conv)) body = String.raw`-?\d+(?:\.\d+)?`;
    else body = isLast ? '.*' : '.*?';
    const padded = /\d/.test(flags);
    pattern += `${padded ? String.raw`\s*` : ''}(?<${field}>${body})${padded ? String.raw`\s*` : ''}`;
  }
  pattern += escapeRegex(format.slice(last));
  if (!fields.includes('message')) {
    throw new DebbieError('invalid_log_format', `"${format}" has no %(message)s; a log format must say where the message is`, '--log-format');
  }
  const regex = new RegExp(`${pattern}$`);
  return {
    format,
    fields,
    regex,
    parse(line: string) {
      const m = regex.exec(line);
      if (!m?.groups) return undefined;
      if (m.groups.levelname !== undefined && !/^(DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL|NOTSET|TRACE)$/i.test(m.groups.levelname)) return undefined;
      return { ...m.groups } as LogFields;
    },
  };
}

/** The formats AIWhisperer and the seed use; auto-detection tries them in this order. */
export const PRESET_LOG_FORMATS = {
  /** AIWhisperer's server logs. */
  'aiwhisperer-server': '%(asctime)s %(process)d %(threadName)s %(name)s - %(levelname)s - %(message)s',
  /** AIWhisperer's per-agent logs. */
  'aiwhisperer-agent': '%(asctime)s [%(levelname)s] %(message)s',
  /** Python's default: `logging.basicConfig()` with no format. */
  'python-basic': '%(levelname)s:%(name)s:%(message)s',
  /** A common explicit format. */
  'python-asctime': '%(asctime)s - %(name)s - %(levelname)s - %(message)s',
  /** Another common one (the example in `debbie ingest --help`). */
  'python-asctime-level': '%(asctime)s %(levelname)s %(name)s: %(message)s',
  /** Flask's default handler (`[2025-06-10 10:00:00,000] INFO in app: message`). */
  flask: '[%(asctime)s] %(levelname)s in %(module)s: %(message)s',
} as const;

export type PresetLogFormat = keyof typeof PRESET_LOG_FORMATS;
