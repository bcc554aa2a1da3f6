import type { DebbieEvent } from './DebbieEvent.js';
import { DebbieError } from './errors.js';
import { newEventId } from './ids.js';
import { isLogLevel, parseLogLevel } from './LogLevel.js';
import { isLogSource } from './LogSource.js';
import { normalizeTimestamp } from './time.js';

/**
 * Turns untrusted JSON (a JSONL line, an API body) into a DebbieEvent, or throws a
 * DebbieError (code `invalid_event`) naming the field that was wrong.
 * Missing optional fields get defaults; wrong types are errors, never silently coerced.
 * @param where prefix for error messages, e.g. "events.jsonl line 12".
 */
export function parseDebbieEvent(input: unknown, where = 'event'): DebbieEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new DebbieError('invalid_event', `expected a JSON object, got ${describe(input)}`, where);
  }
  const o = input as Record<string, unknown>;
  const fail = (field: string, what: string): never => {
    throw new DebbieError('invalid_event', `field "${field}" ${what} (got ${describe(o[field])})`, where);
  };
  const str = (field: string, required = false): string | null => {
    const v = o[field];
    if (v === undefined || v === null) {
      if (required) fail(field, 'is required');
      return null;
    }
    if (typeof v !== 'string') fail(field, 'must be a string');
    return v as string;
  };
  const obj = (field: string): Record<string, unknown> | null => {
    const v = o[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'object' || Array.isArray(v)) fail(field, 'must be an object');
    return v as Record<string, unknown>;
  };

  const timestampText = str('timestamp', true) as string;
  const timestamp = normalizeTimestamp(timestampText);
  if (!timestamp) fail('timestamp', 'must be an ISO-8601 timestamp');

  const source = o.source;
  if (!isLogSource(source)) fail('source', 'must be one of the LogSource values');

  let level = o.level ?? 'INFO';
  if (typeof level === 'string' && !isLogLevel(level)) level = parseLogLevel(level) ?? level;
  if (!isLogLevel(level)) fail('level', 'must be DEBUG, INFO, WARNING, ERROR or CRITICAL');

  const summary = str('event_summary') ?? str('message');
  if (summary === null) fail('event_summary', 'is required');

  const duration = o.duration_ms;
  if (duration !== undefined && duration !== null && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)) {
    fail('duration_ms', 'must be a non-negative number');
  }

  const tags = o.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) fail('tags', 'must be an array of strings');

  const metrics = obj('performance_metrics');
  if (metrics) {
    for (const [k, v] of Object.entries(metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail('performance_metrics', `must map names to finite numbers (key "${k}")`);
    }
  }

  const kind = o.kind ?? (typeof duration === 'number' ? 'span' : 'log');
  if (kind !== 'span' && kind !== 'log') fail('kind', 'must be "span" or "log"');

  return {
    timestamp: timestamp as string,
    level: level as DebbieEvent['level'],
    component: str('component') ?? (source as string),
    action: str('action') ?? '',
    event_summary: summary as string,
    event_id: str('event_id') ?? newEventId(),
    duration_ms: typeof duration === 'number' ? duration : null,
    details: obj('details') ?? {},
    state_before: o.state_before ?? null,
    state_after: o.state_after ?? null,
    source: source as DebbieEvent['source'],
    session_id: str('session_id'),
    agent_id: str('agent_id'),
    correlation_id: str('correlation_id'),
    parent_id: str('parent_id'),
    tags: tags as string[],
    performance_metrics: metrics as Record<string, number> | null,
    stack_trace: str('stack_trace'),
    context_snapshot: obj('context_snapshot'),
    trace_id: str('trace_id'),
    span_id: str('span_id'),
    parent_span_id: str('parent_span_id'),
    kind: kind as DebbieEvent['kind'],
    service_name: str('service_name'),
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  return typeof value;
}
