import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Context, HrTime, SpanContext } from '@opentelemetry/api';
import type { DebbieEvent } from './DebbieEvent.js';
import { eventFromLogParts, eventFromSpanParts, eventsFromSpanParts, type SpanParts } from './decodeAttributes.js';
import { encodeEventAttributes } from './encodeAttributes.js';
import { levelToSeverityNumber } from './LogLevel.js';
import { epochMicros, hrTimeFromEpochMicros } from './time.js';

// The API's values are needed only to give a log record its span context: loaded then, not at
// import (an ESM import of it cost every `debbie sessions` ~30 ms of CPU at start).
let otelApi: typeof OtelApi | undefined;
const api = (): typeof OtelApi => (otelApi ??= createRequire(import.meta.url)('@opentelemetry/api') as typeof OtelApi);

// Structural views of the SDK's ReadableSpan and ReadableLogRecord, so that this package
// depends on @opentelemetry/api alone and accepts spans from SDK 1.x, 2.x and 3.x.

export interface ReadableSpanLike {
  readonly name: string;
  spanContext(): SpanContext;
  /** SDK 2.x and later. */
  readonly parentSpanContext?: SpanContext | undefined;
  /** SDK 1.x. */
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: { code: number; message?: string | undefined };
  readonly attributes: Attributes;
  readonly events: readonly { name: string; time: HrTime; attributes?: Attributes | undefined }[];
  readonly resource?: { attributes: Attributes } | undefined;
}

export interface ReadableLogRecordLike {
  readonly hrTime: HrTime;
  readonly spanContext?: SpanContext | undefined;
  readonly severityText?: string | undefined;
  readonly severityNumber?: number | undefined;
  readonly body?: unknown;
  /** Log attributes may hold any value (maps, null); non-attribute values are kept in details. */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly resource?: { attributes: Attributes } | undefined;
  /** SDK logs 0.200 and later (the OTLP LogRecord event_name). */
  readonly eventName?: string | undefined;
}

const micros = (t: HrTime): number => t[0] * 1e6 + Math.floor(t[1] / 1000);

// A provider shares one Resource across all its spans, and its `attributes` getter does work on
// every call: read it once per resource.
const resourceAttributes = new WeakMap<object, Attributes>();
function attributesOf(resource: { attributes: Attributes; asyncAttributesPending?: boolean } | undefined): Attributes | undefined {
  if (!resource) return undefined;
  let attrs = resourceAttributes.get(resource);
  if (!attrs) {
    attrs = resource.attributes;
    // Resource detectors may still be filling it in: cache only a settled resource.
    if (!resource.asyncAttributesPending) resourceAttributes.set(resource, attrs);
  }
  return attrs;
}

/** An SDK span (ReadableSpan) → its DebbieEvent and one point event per span event (see eventsFromSpanParts). */
export function eventsFromReadableSpan(span: ReadableSpanLike, out: DebbieEvent[]): void {
  eventsFromSpanParts(spanPartsOf(span), out);
}

/** An SDK span (ReadableSpan) → its DebbieEvent alone (span events other than exceptions are left out). */
export function eventFromReadableSpan(span: ReadableSpanLike): DebbieEvent {
  return eventFromSpanParts(spanPartsOf(span));
}

function spanPartsOf(span: ReadableSpanLike): SpanParts {
  const ctx = span.spanContext();
  return {
    name: span.name,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? span.parentSpanId,
    startMicros: micros(span.startTime),
    endMicros: micros(span.endTime),
    statusCode: span.status.code,
    statusMessage: span.status.message,
    attributes: span.attributes,
    resource: attributesOf(span.resource),
    events: span.events.length === 0 ? undefined : span.events.map((e) => ({ name: e.name, timeMicros: micros(e.time), attributes: e.attributes ?? {} })),
  };
}

/** An SDK log record (ReadableLogRecord) → DebbieEvent. */
export function eventFromReadableLogRecord(record: ReadableLogRecordLike): DebbieEvent {
  return eventFromLogParts({
    timeMicros: micros(record.hrTime),
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: record.body,
    attributes: record.attributes as Attributes,
    resource: attributesOf(record.resource),
    traceId: record.spanContext?.traceId,
    spanId: record.spanContext?.spanId,
    eventName: record.eventName,
  });
}

/** What `logger.emit()` of @opentelemetry/api-logs takes. */
export interface DebbieLogRecord {
  timestamp: HrTime;
  severityNumber: number;
  severityText: string;
  body: string;
  attributes: Attributes;
  /** Carries the event's trace and span ids, when it has them. */
  context?: Context;
}

/** DebbieEvent → an OTel log record carrying every field (see docs/conventions.md). */
export function eventToLogRecord(event: DebbieEvent, context?: Context): DebbieLogRecord {
  const record: DebbieLogRecord = {
    timestamp: hrTimeFromEpochMicros(epochMicros(event.timestamp)),
    severityNumber: levelToSeverityNumber(event.level),
    severityText: event.level,
    body: event.event_summary,
    attributes: encodeEventAttributes(event, 'log'),
  };
  if (context) record.context = context;
  else if (event.trace_id && event.span_id) {
    const { trace, ROOT_CONTEXT, TraceFlags } = api();
    record.context = trace.setSpanContext(ROOT_CONTEXT, { traceId: event.trace_id, spanId: event.span_id, traceFlags: TraceFlags.SAMPLED });
  }
  return record;
}

/** DebbieEvent → attributes for a span that represents it. */
export function eventToSpanAttributes(event: DebbieEvent): Attributes {
  return encodeEventAttributes(event, 'span');
}

/** A low-cardinality span name following the GenAI conventions where they apply. */
export function spanNameFor(event: Pick<DebbieEvent, 'source' | 'action' | 'details' | 'agent_id'>): string {
  const d = event.details;
  if (event.source === 'tool' && typeof d.tool_name === 'string') return `execute_tool ${d.tool_name}`;
  if (event.source === 'ai_service' && typeof d.model === 'string') return `chat ${d.model}`;
  if (event.source === 'agent' && event.action === 'invoke_agent') return `invoke_agent ${String(d.agent_name ?? event.agent_id ?? '')}`.trim();
  if (event.source === 'websocket' && typeof d.rpc_method === 'string') return `jsonrpc ${d.rpc_method}`;
  return event.action ? `${event.source}.${event.action}` : event.source;
}
