import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ATTR, PROMOTED_DETAILS, PROMOTED_METRICS } from './attributes.js';
import type { DebbieEvent, EventKind } from './DebbieEvent.js';
import { newEventId } from './ids.js';
import { isLogLevel, parseLogLevel, severityNumberToLevel, type LogLevel } from './LogLevel.js';
import { isLogSource, type LogSource } from './LogSource.js';
import { isoFromEpochMicros } from './time.js';

/** A span in a neutral shape: what ReadableSpan and OTLP spans both provide. */
export interface SpanParts {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  startMicros: number;
  endMicros: number;
  /** OTel status: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string | undefined;
  attributes: Attributes;
  resource?: Attributes | undefined;
  events?: readonly SpanEventParts[] | undefined;
}

export interface SpanEventParts {
  name: string;
  timeMicros: number;
  attributes: Attributes;
}

/** A log record in a neutral shape: what ReadableLogRecord and OTLP log records both provide. */
export interface LogParts {
  timeMicros: number;
  severityNumber?: number | undefined;
  severityText?: string | undefined;
  body: unknown;
  attributes: Attributes;
  resource?: Attributes | undefined;
  traceId?: string | undefined;
  spanId?: string | undefined;
  /** The OTLP LogRecord `event_name` (GenAI events: gen_ai.user.message, gen_ai.choice, …). */
  eventName?: string | undefined;
}

/**
 * Guesses a source for spans and logs that Debbie did not write (GenAI, OpenInference,
 * JSON-RPC instrumentation). Debbie's own `debbie.source` always wins.
 */
export function inferSource(attrs: Attributes, name = '', resource?: Attributes): LogSource {
  const get = (key: string) => attrs[key] ?? resource?.[key];
  const explicit = get(ATTR.SOURCE);
  if (isLogSource(explicit)) return explicit;
  const op = get(ATTR.GEN_AI_OPERATION_NAME);
  if (get(ATTR.GEN_AI_TOOL_NAME) !== undefined || op === 'execute_tool') return 'tool';
  if (op === 'invoke_agent' || op === 'create_agent') return 'agent';
  if (typeof op === 'string' || get(ATTR.GEN_AI_REQUEST_MODEL) !== undefined) return 'ai_service';
  const oiKind = get('openinference.span.kind');
  if (typeof oiKind === 'string') {
    switch (oiKind.toUpperCase()) {
      case 'TOOL':
      case 'RETRIEVER':
        return 'tool';
      case 'LLM':
      case 'EMBEDDING':
      case 'RERANKER':
        return 'ai_service';
      case 'AGENT':
      case 'CHAIN':
      case 'GUARDRAIL':
      case 'EVALUATOR':
        return 'agent';
      default:
        break;
    }
  }
  if (get(ATTR.RPC_SYSTEM) === 'jsonrpc' || /websocket/i.test(name)) return 'websocket';
  if (get(ATTR.SESSION_ID) !== undefined && /session/i.test(name)) return 'session';
  return 'server';
}

function str(v: AttributeValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

function parseJson(v: AttributeValue | undefined): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return { _debbie_unparsed: v };
  }
}

function parseJsonObject(v: AttributeValue | undefined): Record<string, unknown> | null {
  if (v === undefined) return null;
  const parsed = parseJson(v);
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  return { value: parsed };
}

const KNOWN = new Set<string>([
  ATTR.SOURCE,
  ATTR.SESSION_ID,
  ATTR.AGENT_ID,
  ATTR.CORRELATION_ID,
  ATTR.PARENT_ID,
  ATTR.PARENT_SPAN_ID,
  ATTR.EVENT_ID,
  ATTR.COMPONENT,
  ATTR.ACTION,
  ATTR.SUMMARY,
  ATTR.LEVEL,
  ATTR.TAGS,
  ATTR.DETAILS,
  ATTR.CONTEXT,
  ATTR.STATE_BEFORE,
  ATTR.STATE_AFTER,
  ATTR.EXCEPTION_STACKTRACE,
  ATTR.EXCEPTION_TYPE,
  ATTR.EXCEPTION_MESSAGE,
  ATTR.RPC_SYSTEM,
  'debbie.kind',
  'debbie.duration_ms',
  ...PROMOTED_DETAILS.map(([, a]) => a),
  ...PROMOTED_METRICS.map(([, a]) => a),
]);

/** Fields shared by spans and log records, decoded from attributes. */
function decodeCommon(attrs: Attributes, resource: Attributes | undefined, name: string) {
  const detailsAttr = attrs[ATTR.DETAILS];
  const details: Record<string, unknown> = detailsAttr !== undefined ? (parseJsonObject(detailsAttr) ?? {}) : {};
  const foreign = detailsAttr === undefined;
  for (const [key, attribute] of PROMOTED_DETAILS) {
    const v = attrs[attribute];
    if (v !== undefined && details[key] === undefined) details[key] = v;
  }
  let metrics: Record<string, number> | null = null;
  for (const [metric, attribute] of PROMOTED_METRICS) {
    const v = attrs[attribute];
    // Some SDKs (Python span dumps, any-agent) send token counts as numeric strings.
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
    if (n !== undefined) (metrics ??= {})[metric] = n;
  }
  // for-in, not Object.entries or spreads: SDK attribute objects have a null prototype, and
  // copying them was the most expensive step of span conversion.
  for (const key in attrs) {
    const value = attrs[key];
    if (key.startsWith(ATTR.METRIC_PREFIX) && typeof value === 'number') {
      (metrics ??= {})[key.slice(ATTR.METRIC_PREFIX.length)] = value;
    } else if (foreign && !KNOWN.has(key) && value !== undefined) {
      // Attributes of other instrumentations are kept, so nothing they said is lost.
      details[key] = value;
    }
  }
  const tagsAttr = attrs[ATTR.TAGS];
  const tags = Array.isArray(tagsAttr) ? tagsAttr.filter((t): t is string => typeof t === 'string') : typeof tagsAttr === 'string' ? [tagsAttr] : [];
  const source = inferSource(attrs, name, resource);
  const lookup = (key: string) => attrs[key] ?? resource?.[key];
  return {
    source,
    details,
    metrics,
    tags,
    session_id: str(lookup(ATTR.SESSION_ID)) ?? str(lookup('session_id')),
    agent_id: str(lookup(ATTR.AGENT_ID)),
    correlation_id: str(attrs[ATTR.CORRELATION_ID]),
    component: str(attrs[ATTR.COMPONENT]),
    action: str(attrs[ATTR.ACTION]),
    event_id: str(attrs[ATTR.EVENT_ID]),
    explicitParent: str(attrs[ATTR.PARENT_ID]),
    stack_trace: str(attrs[ATTR.EXCEPTION_STACKTRACE]),
    exceptionType: str(attrs[ATTR.EXCEPTION_TYPE]),
    exceptionMessage: str(attrs[ATTR.EXCEPTION_MESSAGE]),
    context_snapshot: parseJsonObject(attrs[ATTR.CONTEXT]),
    state_before: attrs[ATTR.STATE_BEFORE] !== undefined ? parseJson(attrs[ATTR.STATE_BEFORE]) : null,
    state_after: attrs[ATTR.STATE_AFTER] !== undefined ? parseJson(attrs[ATTR.STATE_AFTER]) : null,
    service_name: str(resource?.[ATTR.SERVICE_NAME]),
  };
}

function defaultComponent(source: LogSource, details: Record<string, unknown>, name: string): string {
  if (typeof details.tool_name === 'string') return details.tool_name;
  if (typeof details.model === 'string' && source === 'ai_service') return details.model;
  return name || source;
}

/** A span (from any SDK or from OTLP) → DebbieEvent. */
export function eventFromSpanParts(span: SpanParts): DebbieEvent {
  const c = decodeCommon(span.attributes, span.resource, span.name);
  let level: LogLevel = 'INFO';
  const levelAttr = span.attributes[ATTR.LEVEL];
  if (typeof levelAttr === 'string' && (isLogLevel(levelAttr) || parseLogLevel(levelAttr))) {
    level = parseLogLevel(levelAttr) ?? 'INFO';
  } else if (span.statusCode === 2) {
    level = 'ERROR';
  }
  let stack = c.stack_trace;
  for (const ev of span.events ?? []) {
    if (ev.name !== 'exception') continue;
    const trace = str(ev.attributes[ATTR.EXCEPTION_STACKTRACE]);
    const type = str(ev.attributes[ATTR.EXCEPTION_TYPE]);
    const message = str(ev.attributes[ATTR.EXCEPTION_MESSAGE]);
    stack ??= trace ?? ([type, message].filter(Boolean).join(': ') || null);
    if (span.attributes[ATTR.LEVEL] === undefined && level !== 'CRITICAL') level = 'ERROR';
  }
  if (span.statusCode === 2 && span.statusMessage && c.details.status_message === undefined && span.attributes[ATTR.DETAILS] === undefined) {
    c.details.status_message = span.statusMessage;
  }
  const summary = str(span.attributes[ATTR.SUMMARY]) ?? span.name;
  return {
    timestamp: isoFromEpochMicros(span.startMicros),
    level,
    component: c.component ?? defaultComponent(c.source, c.details, span.name),
    action: c.action ?? str(span.attributes[ATTR.GEN_AI_OPERATION_NAME]) ?? span.name,
    event_summary: summary,
    event_id: c.event_id ?? span.spanId,
    duration_ms: Math.max(0, span.endMicros - span.startMicros) / 1000,
    details: c.details,
    state_before: c.state_before,
    state_after: c.state_after,
    source: c.source,
    session_id: c.session_id,
    agent_id: c.agent_id,
    correlation_id: c.correlation_id,
    parent_id: c.explicitParent ?? (span.parentSpanId || null),
    tags: c.tags,
    performance_metrics: c.metrics,
    stack_trace: stack,
    context_snapshot: c.context_snapshot,
    trace_id: span.traceId || null,
    span_id: span.spanId || null,
    parent_span_id: span.parentSpanId || null,
    kind: 'span',
    service_name: c.service_name,
  };
}

/**
 * A span → its DebbieEvent, plus one point event per span event other than `exception`
 * (exceptions become the span's stack trace and error level), so nothing the sender said is lost.
 * The point events' ids are derived from the span's, so every way in gives the same events.
 */
export function eventsFromSpanParts(span: SpanParts, out: DebbieEvent[]): void {
  const event = eventFromSpanParts(span);
  out.push(event);
  const events = span.events;
  if (!events) return;
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.name === 'exception') continue;
    const details: Record<string, unknown> = {};
    for (const key in ev.attributes) details[key] = ev.attributes[key];
    out.push({
      timestamp: isoFromEpochMicros(ev.timeMicros),
      level: 'INFO',
      component: event.component,
      action: ev.name,
      event_summary: ev.name,
      event_id: `${event.event_id}.e${i}`,
      duration_ms: null,
      details,
      state_before: null,
      state_after: null,
      source: event.source,
      session_id: event.session_id,
      agent_id: event.agent_id,
      correlation_id: event.correlation_id,
      parent_id: event.event_id,
      tags: [],
      performance_metrics: null,
      stack_trace: null,
      context_snapshot: null,
      trace_id: event.trace_id,
      span_id: event.span_id,
      parent_span_id: null,
      kind: 'log',
      service_name: event.service_name,
    });
  }
}

/** A log record (from any SDK or from OTLP) → DebbieEvent. */
export function eventFromLogParts(log: LogParts): DebbieEvent {
  const c = decodeCommon(log.attributes, log.resource, '');
  const levelFromText = log.severityText ? parseLogLevel(log.severityText) : undefined;
  let level = log.severityNumber ? severityNumberToLevel(log.severityNumber) : (levelFromText ?? 'INFO');
  // A record with no severity that carries an exception is an error.
  if (!log.severityNumber && !log.severityText && (c.stack_trace || c.exceptionType)) level = 'ERROR';
  const body = log.body;
  let summary: string;
  if (typeof body === 'string') summary = body;
  else if (body === undefined || body === null) summary = c.exceptionMessage ?? '';
  else {
    summary = typeof body === 'object' ? JSON.stringify(body) : String(body);
    if (typeof body === 'object' && c.details.body === undefined) c.details.body = body;
  }
  let stack = c.stack_trace;
  if (stack === null && c.exceptionType) stack = [c.exceptionType, c.exceptionMessage].filter(Boolean).join(': ');
  const kindAttr = log.attributes['debbie.kind'];
  const kind: EventKind = kindAttr === 'span' ? 'span' : 'log';
  const duration = log.attributes['debbie.duration_ms'];
  return {
    timestamp: isoFromEpochMicros(log.timeMicros),
    level,
    component: c.component ?? defaultComponent(c.source, c.details, ''),
    action: c.action ?? log.eventName ?? '',
    event_summary: summary,
    event_id: c.event_id ?? newEventId(),
    duration_ms: typeof duration === 'number' ? duration : null,
    details: c.details,
    state_before: c.state_before,
    state_after: c.state_after,
    source: c.source,
    session_id: c.session_id,
    agent_id: c.agent_id,
    correlation_id: c.correlation_id,
    parent_id: c.explicitParent ?? (log.spanId || null),
    tags: c.tags,
    performance_metrics: c.metrics,
    stack_trace: stack,
    context_snapshot: c.context_snapshot,
    trace_id: log.traceId || null,
    span_id: log.spanId || null,
    parent_span_id: str(log.attributes[ATTR.PARENT_SPAN_ID]),
    kind,
    service_name: c.service_name,
  };
}
