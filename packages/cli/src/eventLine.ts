import { displayTimestamp, type DebbieEvent, type LogLevel, type LogSource } from '@debbie/model';

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const LEVEL_COLORS: Partial<Record<LogLevel, string>> = { DEBUG: '\x1b[90m', WARNING: '\x1b[33m', ERROR: '\x1b[31m', CRITICAL: '\x1b[1;31m' };
const SOURCE_COLORS: Partial<Record<LogSource, string>> = {
  debbie_comment: '\x1b[35m',
  debbie: '\x1b[1;35m',
  tool: '\x1b[36m',
  ai_service: '\x1b[34m',
  agent: '\x1b[32m',
  session: '\x1b[1m',
};

export interface LineOptions {
  /** Add the details (without the ids the line already shows). */
  verbose: boolean;
  color: boolean;
  /** Show the session id (the lines mix sessions, e.g. a correlation group across sessions). */
  session: boolean;
}

function duration(ms: number | null): string {
  if (ms === null) return '';
  return ms >= 1000 ? ` (${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)}s)` : ` (${Math.round(ms)}ms)`;
}

/**
 * One event as a short line: `[ts] [source] [LEVEL] [component] message (duration) #id`.
 * --verbose adds the details as JSON, without session_id and other ids repeated from the line.
 */
export function eventLine(event: DebbieEvent, options: LineOptions): string {
  const c = (code: string | undefined, text: string) => (options.color && code ? `${code}${text}${RESET}` : text);
  const loud = event.level === 'WARNING' || event.level === 'ERROR' || event.level === 'CRITICAL';
  const who = [options.session && event.session_id ? `session ${event.session_id.slice(0, 8)}` : '', event.agent_id ? `agent ${event.agent_id}` : '']
    .filter(Boolean)
    .join(', ');
  let line =
    `${c(DIM, `[${displayTimestamp(event.timestamp)}]`)} ${c(SOURCE_COLORS[event.source], `[${event.source}]`)} ` +
    `${c(LEVEL_COLORS[event.level], `[${event.level}]`)} [${event.component}] ${loud ? c(LEVEL_COLORS[event.level], event.event_summary) : event.event_summary}` +
    `${duration(event.duration_ms)}${who ? c(DIM, ` {${who}}`) : ''} ${c(DIM, `#${event.event_id}`)}`;
  if (options.verbose) {
    const details = detailsWithoutIds(event);
    if (Object.keys(details).length) line += `\n    ${c(DIM, JSON.stringify(details))}`;
    if (event.stack_trace) line += `\n${event.stack_trace.replace(/^/gm, '    ')}`;
  }
  return line;
}

/** The details minus ids the line (or the command's own --session) already says. */
function detailsWithoutIds(event: DebbieEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event.details ?? {})) {
    if (k === 'session_id' && v === event.session_id) continue;
    if (k === 'agent_id' && v === event.agent_id) continue;
    if (k === 'event_id' && v === event.event_id) continue;
    out[k] = v;
  }
  if (event.correlation_id) out.correlation_id = event.correlation_id;
  return out;
}

/** Every field of one event, one per line, for `debbie show`. */
export function eventBlock(event: DebbieEvent): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(event)) {
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    if (k === 'stack_trace') {
      lines.push(`${k}:`, String(v).replace(/^/gm, '  '));
      continue;
    }
    const text = typeof v === 'object' ? JSON.stringify(v, null, 2).replace(/\n/g, '\n  ') : String(v);
    lines.push(`${k}: ${text}`);
  }
  return `${lines.join('\n')}\n`;
}
