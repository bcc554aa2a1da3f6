import { epochMicros, levelRank, type DebbieEvent } from '@debbie/model';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** strftime in UTC, with Python's %f (microseconds). Unknown directives are kept as written. */
export function strftime(format: string, micros: number): string {
  const d = new Date(Math.floor(micros / 1000));
  const us = ((micros % 1e6) + 1e6) % 1e6;
  return format.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return pad(d.getUTCFullYear() % 100);
      case 'm':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'H':
        return pad(d.getUTCHours());
      case 'I':
        return pad(((d.getUTCHours() + 11) % 12) + 1);
      case 'p':
        return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'M':
        return pad(d.getUTCMinutes());
      case 'S':
        return pad(d.getUTCSeconds());
      case 'f':
        return pad(Math.floor(us), 6);
      case 'j':
        return pad(Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 0)) / 864e5), 3);
      case 'b':
        return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      case 'B':
        return MONTHS[d.getUTCMonth()]!;
      case 'a':
        return DAYS[d.getUTCDay()]!.slice(0, 3);
      case 'A':
        return DAYS[d.getUTCDay()]!;
      case 'z':
        return '+0000';
      case 'Z':
        return 'UTC';
      case '%':
        return '%';
      default:
        return whole;
    }
  });
}

/** JSON as Python's json.dumps writes it (", " and ": "), so lines match the seed's examples. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type FieldGetter = (event: DebbieEvent, loggerName: string, asctime: () => string) => unknown;

const FIELDS: Record<string, FieldGetter> = {
  asctime: (_e, _n, asctime) => asctime(),
  created: (e) => epochMicros(e.timestamp) / 1e6,
  msecs: (e) => Math.floor((epochMicros(e.timestamp) % 1e6) / 1000),
  levelname: (e) => e.level,
  levelno: (e) => levelRank(e.level),
  name: (_e, n) => n,
  message: (e) => e.event_summary,
  msg: (e) => e.event_summary,
  source: (e) => e.source,
  component: (e) => e.component,
  action: (e) => e.action,
  details: (e) => pythonJson(e.details),
  session_id: (e) => e.session_id ?? '',
  agent_id: (e) => e.agent_id ?? '',
  correlation_id: (e) => e.correlation_id ?? '',
  parent_id: (e) => e.parent_id ?? '',
  event_id: (e) => e.event_id,
  trace_id: (e) => e.trace_id ?? '',
  span_id: (e) => e.span_id ?? '',
  duration_ms: (e) => e.duration_ms ?? '',
  tags: (e) => e.tags.join(','),
  service_name: (e) => e.service_name ?? '',
  stack_trace: (e) => e.stack_trace ?? '',
};

/** The fields a format string may name, as `%(field)s`. */
export const FORMAT_FIELDS: readonly string[] = Object.keys(FIELDS);

const PLACEHOLDER = /%\((\w+)\)([-#0 +]*)(\d*)(?:\.(\d+))?([sdfir])|%%/g;

/** A compiled Python logging format (`%(asctime)s [%(levelname)-8s] %(message)s`). */
export class LineFormatter {
  private readonly parts: ((event: DebbieEvent, loggerName: string, asctime: () => string) => string)[] = [];

  /** Throws an Error naming the unknown field, so config validation can point at it. */
  constructor(
    readonly format: string,
    readonly datefmt: string,
  ) {
    let last = 0;
    for (const m of format.matchAll(PLACEHOLDER)) {
      const literal = format.slice(last, m.index);
      if (literal) this.parts.push(() => literal);
      last = m.index + m[0].length;
      if (m[0] === '%%') {
        this.parts.push(() => '%');
        continue;
      }
      const [, field, flags = '', width = '', precision, conv] = m;
      const get = FIELDS[field!];
      if (!get) throw new Error(`unknown field %(${field})${conv}; known: ${FORMAT_FIELDS.join(', ')}`);
      const left = flags.includes('-');
      const zero = flags.includes('0');
      const w = width ? Number(width) : 0;
      const p = precision !== undefined ? Number(precision) : undefined;
      this.parts.push((event, name, asctime) => {
        const v = get(event, name, asctime);
        let text: string;
        if (conv === 'd' || conv === 'i') text = String(Math.trunc(Number(v) || 0));
        else if (conv === 'f') text = (Number(v) || 0).toFixed(p ?? 6);
        else if (conv === 'r') text = JSON.stringify(v);
        else text = p !== undefined ? String(v).slice(0, p) : String(v);
        if (text.length >= w) return text;
        return left ? text.padEnd(w) : text.padStart(w, zero && conv !== 's' ? '0' : ' ');
      });
    }
    const tail = format.slice(last);
    if (tail) this.parts.push(() => tail);
  }

  formatEvent(event: DebbieEvent, loggerName = 'debbie'): string {
    let cached: string | undefined;
    const asctime = () => (cached ??= strftime(this.datefmt, epochMicros(event.timestamp)));
    let out = '';
    for (const part of this.parts) out += part(event, loggerName, asctime);
    if (event.stack_trace && !this.format.includes('%(stack_trace)')) out += `\n${event.stack_trace}`;
    return out;
  }
}
