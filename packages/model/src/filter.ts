import type { DebbieEvent } from './DebbieEvent.js';
import { DebbieError } from './errors.js';
import { LOG_LEVELS, levelRank, parseLogLevel, type LogLevel } from './LogLevel.js';
import { isLogSource, LOG_SOURCES, type LogSource } from './LogSource.js';
import { normalizeTimestamp } from './time.js';

/**
 * Which events to keep: the one filter spec shared by the store, the stream, export and the CLI.
 * Every field is optional; the fields present must all match (AND); values inside a list are OR.
 */
export interface EventFilter {
  sources?: LogSource[];
  /** Exact levels to keep. */
  levels?: LogLevel[];
  /** Keep this level and above. */
  minLevel?: LogLevel;
  sessionId?: string;
  /** One event, by its event_id (`debbie events --id`, `debbie show`). */
  eventId?: string;
  agentId?: string;
  correlationId?: string;
  /** Inclusive lower bound, ISO-8601. */
  since?: string;
  /** Exclusive upper bound, ISO-8601. */
  until?: string;
  /** Case-insensitive substring of summary, component, action or the details JSON. */
  text?: string;
  /** The event must carry every tag listed. */
  tags?: string[];
}

/** True when the event passes the filter. */
export function matchesFilter(event: DebbieEvent, filter: EventFilter): boolean {
  if (filter.sessionId !== undefined && event.session_id !== filter.sessionId) return false;
  if (filter.eventId !== undefined && event.event_id !== filter.eventId) return false;
  if (filter.sources && filter.sources.length > 0 && !filter.sources.includes(event.source)) return false;
  if (filter.levels && filter.levels.length > 0 && !filter.levels.includes(event.level)) return false;
  if (filter.minLevel && levelRank(event.level) < levelRank(filter.minLevel)) return false;
  if (filter.agentId !== undefined && event.agent_id !== filter.agentId) return false;
  if (filter.correlationId !== undefined && event.correlation_id !== filter.correlationId) return false;
  if (filter.since !== undefined && event.timestamp < filter.since) return false;
  if (filter.until !== undefined && event.timestamp >= filter.until) return false;
  if (filter.tags && filter.tags.length > 0 && !filter.tags.every((t) => event.tags.includes(t))) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    if (
      !event.event_summary.toLowerCase().includes(needle) &&
      !event.component.toLowerCase().includes(needle) &&
      !event.action.toLowerCase().includes(needle) &&
      !JSON.stringify(event.details).toLowerCase().includes(needle)
    )
      return false;
  }
  return true;
}

/** Raw filter values as they come from CLI flags or URL query parameters. */
export interface FilterInput {
  source?: string | string[] | undefined;
  level?: string | string[] | undefined;
  minLevel?: string | undefined;
  session?: string | undefined;
  event?: string | undefined;
  agent?: string | undefined;
  correlation?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  text?: string | undefined;
  tag?: string | string[] | undefined;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * Validates raw flag or query values and builds an EventFilter.
 * Throws DebbieError `invalid_filter` naming the bad value and the accepted ones.
 */
export function parseFilter(input: FilterInput): EventFilter {
  const filter: EventFilter = {};
  const sources = list(input.source);
  for (const s of sources) {
    if (!isLogSource(s)) throw new DebbieError('invalid_filter', `unknown source "${s}"; expected one of ${LOG_SOURCES.join(', ')}`, '--source');
  }
  if (sources.length) filter.sources = sources as LogSource[];
  const levels = list(input.level).map((l) => {
    const level = parseLogLevel(l);
    if (!level) throw new DebbieError('invalid_filter', `unknown level "${l}"; expected one of ${LOG_LEVELS.join(', ')}`, '--level');
    return level;
  });
  if (levels.length) filter.levels = levels;
  if (input.minLevel) {
    const level = parseLogLevel(input.minLevel);
    if (!level) throw new DebbieError('invalid_filter', `unknown level "${input.minLevel}"; expected one of ${LOG_LEVELS.join(', ')}`, '--min-level');
    filter.minLevel = level;
  }
  if (input.session) filter.sessionId = input.session;
  if (input.event) filter.eventId = input.event;
  if (input.agent) filter.agentId = input.agent;
  if (input.correlation) filter.correlationId = input.correlation;
  for (const key of ['since', 'until'] as const) {
    const v = input[key];
    if (!v) continue;
    const ts = normalizeTimestamp(v);
    if (!ts) throw new DebbieError('invalid_filter', `"${v}" is not an ISO-8601 timestamp (e.g. 2025-05-29T10:15:32Z)`, `--${key}`);
    filter[key] = ts;
  }
  if (input.text) filter.text = input.text;
  const tags = list(input.tag);
  if (tags.length) filter.tags = tags;
  return filter;
}

/** EventFilter → URL query parameters (the inverse of parseFilter on a query). */
export function filterToSearchParams(filter: EventFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (filter.sources?.length) p.set('source', filter.sources.join(','));
  if (filter.levels?.length) p.set('level', filter.levels.join(','));
  if (filter.minLevel) p.set('minLevel', filter.minLevel);
  if (filter.sessionId) p.set('session', filter.sessionId);
  if (filter.eventId) p.set('event', filter.eventId);
  if (filter.agentId) p.set('agent', filter.agentId);
  if (filter.correlationId) p.set('correlation', filter.correlationId);
  if (filter.since) p.set('since', filter.since);
  if (filter.until) p.set('until', filter.until);
  if (filter.text) p.set('text', filter.text);
  if (filter.tags?.length) p.set('tag', filter.tags.join(','));
  return p;
}

/** URL query parameters → EventFilter (validated). */
export function filterFromSearchParams(params: URLSearchParams): EventFilter {
  const get = (k: string) => params.getAll(k);
  return parseFilter({
    source: get('source'),
    level: get('level'),
    minLevel: params.get('minLevel') ?? undefined,
    session: params.get('session') ?? undefined,
    event: params.get('event') ?? undefined,
    agent: params.get('agent') ?? undefined,
    correlation: params.get('correlation') ?? undefined,
    since: params.get('since') ?? undefined,
    until: params.get('until') ?? undefined,
    text: params.get('text') ?? undefined,
    tag: get('tag'),
  });
}
