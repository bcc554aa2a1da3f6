import type { DebbieEvent } from '../DebbieEvent.js';
import type { LogSource } from '../LogSource.js';
import { addErrorCause } from './errorCause.js';
import { convertGenAiLogEvent, genAiEventName } from './genAiLogEvent.js';
import { applyRenames } from './renames.js';
import { langchainMetadata, sessionFromDetails } from './sessionKeys.js';
import { spanTypeOf, TYPE_OPERATION, type SpanType } from './spanType.js';
import type { TraceSessionIndex } from './TraceSessionIndex.js';

export interface ForeignOptions {
  /** Attribute names that carry the session, tried before the documented ones (debbie.yaml `sessions.keys`). */
  sessionKeys?: readonly string[];
  /** Trace → session: keyless spans and records take their trace's session. One per pipeline. */
  traces?: TraceSessionIndex;
}

/** Marks a session that is the event's trace because nothing named one. */
export const SESSION_INFERRED = 'session_inferred';

const SOURCE_OF_TYPE: Record<SpanType, LogSource> = {
  tool: 'tool',
  model: 'ai_service',
  agent: 'agent',
  agent_step: 'agent',
  chain: 'agent',
  retriever: 'tool',
};

/** Sources the generic decoder guesses for foreign spans; Debbie's other sources are never reclassified. */
const GUESSED_SOURCES: ReadonlySet<LogSource> = new Set(['server', 'ai_service', 'agent', 'tool']);

/** Keys that say a span comes from another instrumentation's conventions. */
const FOREIGN_MARKERS = ['openinference.span.kind', 'traceloop.span.kind', 'ai.operationId', 'span_type'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function applySpanType(event: DebbieEvent, type: SpanType): void {
  const d = event.details;
  d.span_type = type;
  event.source = SOURCE_OF_TYPE[type];
  const op = str(d.operation);
  event.action = op ?? TYPE_OPERATION[type];
  const entity = str(d['traceloop.entity.name']);
  if (type === 'tool') {
    d.tool_name ??= entity ?? event.event_summary;
    event.component = d.tool_name as string;
    // OpenInference and OpenLLMetry put a tool's arguments in its input.
    if (d.tool_arguments === undefined && d.input !== undefined) {
      d.tool_arguments = d.input;
      delete d.input;
    }
    return;
  }
  if (type === 'model') {
    d.model ??= str(d['ai.model.id']) ?? str(d.response_model);
    if (typeof d.model === 'string') {
      event.component = d.model;
      delete d['ai.model.id'];
    }
    return;
  }
  const meta = langchainMetadata(d);
  if (type === 'agent' || type === 'agent_step') {
    d.agent_name ??= str(meta?.lc_agent_name) ?? (type === 'agent' ? entity : undefined);
  } else if (d.agent_name === undefined && str(meta?.lc_agent_name)) {
    d.agent_name = meta!.lc_agent_name;
  }
  event.component = str(d.agent_name) ?? event.event_summary;
}

function resolveSession(event: DebbieEvent, options: ForeignOptions): void {
  const d = event.details;
  const wasInferred = d[SESSION_INFERRED] === true;
  const named = (wasInferred ? undefined : event.session_id) ?? sessionFromDetails(d, options.sessionKeys ?? []);
  const trace = event.trace_id;
  if (named) {
    event.session_id = named;
    if (wasInferred) delete d[SESSION_INFERRED];
    if (trace && options.traces) options.traces.named(trace, named);
    return;
  }
  if (!trace) {
    // A record outside any trace (an OTLP log with no span context) would be unreachable from
    // the session list: it joins its service's inferred session.
    if (event.kind === 'log' && event.service_name && event.session_id === null) {
      event.session_id = `service:${event.service_name}`;
      d[SESSION_INFERRED] = true;
    }
    return;
  }
  const found = options.traces ? options.traces.sessionFor(trace) : { session: trace, inferred: true };
  event.session_id = found.session;
  if (found.inferred) d[SESSION_INFERRED] = true;
  else if (wasInferred) delete d[SESSION_INFERRED];
}

/**
 * Learns, before converting a batch, which traces of it name their session: a batch usually holds
 * a whole run (children end and are exported before the parent that names the session), so its
 * keyless spans and records get the session at once, not first the trace's inferred one (which
 * the live stream would show before the relabel). Call with the batch, then convert each event.
 */
export function learnSessions(events: readonly DebbieEvent[], options: ForeignOptions): void {
  const traces = options.traces;
  if (!traces) return;
  for (const event of events) {
    if (!event.trace_id || event.source === 'debbie' || event.source === 'debbie_comment') continue;
    const d = event.details;
    const named = (d[SESSION_INFERRED] === true ? undefined : event.session_id) ?? sessionFromDetails(d, options.sessionKeys ?? []);
    if (named) traces.named(event.trace_id, named);
  }
}

/**
 * The one conversion of foreign telemetry (GenAI conventions, OpenInference, Vercel AI SDK,
 * OpenLLMetry, LangChain) on a decoded DebbieEvent, used by every way in: what the span is
 * (tool, model, agent, agent step, chain), its names and tokens under Debbie's keys, its session
 * (documented keys, else its trace's, else the trace itself, marked inferred), GenAI log events
 * as messages, and the cause of an error. Mutates and returns the event. Idempotent: an event
 * converted once comes out of a second conversion unchanged, so events that crossed processes
 * (SDK → collector) are safe. Debbie's own events keep their source, component and action.
 */
export function convertForeignEvent(event: DebbieEvent, options: ForeignOptions = {}): DebbieEvent {
  if (event.source === 'debbie' || event.source === 'debbie_comment') return event;
  const d = event.details;
  const renamed = applyRenames(d, () => (event.performance_metrics ??= {}));
  if (d.model === undefined && typeof d.response_model === 'string' && event.source === 'ai_service') d.model = d.response_model;
  const logName = event.kind === 'log' ? genAiEventName(event) : undefined;
  if (logName) {
    convertGenAiLogEvent(event, logName);
  } else if (event.kind === 'span' && GUESSED_SOURCES.has(event.source)) {
    const type = spanTypeOf(d);
    if (type && (renamed || SOURCE_OF_TYPE[type] !== event.source || FOREIGN_MARKERS.some((k) => d[k] !== undefined))) {
      applySpanType(event, type);
    }
  }
  // The agent a span ran in (gen_ai.agent.name, lc_agent_name) names its agent when no id does.
  if (event.agent_id === null && typeof d.agent_name === 'string' && d.agent_name !== '') event.agent_id = d.agent_name;
  resolveSession(event, options);
  addErrorCause(event);
  return event;
}
