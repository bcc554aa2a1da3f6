import type { Attributes } from '@opentelemetry/api';
import type { SpanEventParts } from '@debbie/model';
import { forEachJsonItem, type JsonRequestNames } from './forEachJsonItem.js';
import { newBatch, reject, type OtlpBatch } from './OtlpBatch.js';
import {
  attributesFromJson,
  attributesFromProto,
  hexFromBytes,
  hexFromJsonId,
  microsFromNanos,
  spanIdProblem,
  traceIdProblem,
  type LongLike,
  type ProtoKeyValue,
} from './otlpValues.js';
import { spanToEvents } from './spanToEvents.js';

/** ExportTraceServiceRequest as protobufjs decodes it (fields read here). */
export interface ProtoTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: ProtoKeyValue[] } | null;
    scopeSpans?: {
      spans?: ProtoSpan[];
    }[];
  }[];
}

interface ProtoSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  startTimeUnixNano?: LongLike | number;
  endTimeUnixNano?: LongLike | number;
  attributes?: ProtoKeyValue[];
  events?: { timeUnixNano?: LongLike | number; name?: string; attributes?: ProtoKeyValue[] }[];
  status?: { code?: number; message?: string } | null;
}

/** A decoded protobuf trace export request → DebbieEvents; a span with bad ids is rejected alone. */
export function decodeProtoTraces(req: ProtoTraceRequest): OtlpBatch {
  const batch = newBatch();
  const rsList = req.resourceSpans ?? [];
  for (let r = 0; r < rsList.length; r++) {
    const rs = rsList[r]!;
    const resource = attributesFromProto(rs.resource?.attributes) as Attributes;
    const ssList = rs.scopeSpans ?? [];
    for (let s = 0; s < ssList.length; s++) {
      const spans = ssList[s]!.spans ?? [];
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i]!;
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        const traceId = hexFromBytes(span.traceId);
        const spanId = hexFromBytes(span.spanId);
        const parentSpanId = hexFromBytes(span.parentSpanId);
        const problem = traceIdProblem(traceId) ?? spanIdProblem(spanId) ?? (parentSpanId ? spanIdProblem(parentSpanId, 'parentSpanId') : undefined);
        if (problem) {
          reject(batch, where, problem);
          continue;
        }
        const start = microsFromNanos(span.startTimeUnixNano) ?? 0;
        const events: SpanEventParts[] = (span.events ?? []).map((e) => ({
          name: e.name ?? '',
          timeMicros: microsFromNanos(e.timeUnixNano) ?? start,
          attributes: attributesFromProto(e.attributes) as Attributes,
        }));
        spanToEvents(
          {
            name: span.name ?? '',
            traceId,
            spanId,
            parentSpanId: parentSpanId || undefined,
            startMicros: start,
            endMicros: microsFromNanos(span.endTimeUnixNano) ?? start,
            statusCode: span.status?.code ?? 0,
            statusMessage: span.status?.message || undefined,
            attributes: attributesFromProto(span.attributes) as Attributes,
            resource,
            events,
          },
          batch.events,
        );
        batch.accepted += 1;
      }
    }
  }
  return batch;
}

const JSON_TRACES: JsonRequestNames = {
  resources: ['resourceSpans', 'resource_spans'],
  scopes: ['scopeSpans', 'scope_spans'],
  items: ['spans', 'spans'],
  itemNoun: 'span',
};

/**
 * An OTLP/JSON trace export request (hex ids, int64 as strings, enums as integers,
 * lowerCamelCase keys; snake_case keys are accepted too) → DebbieEvents.
 * Throws MalformedOtlpError when the request's structure is wrong; a bad span is rejected alone.
 */
export function decodeJsonTraces(body: unknown): OtlpBatch {
  const batch = newBatch();
  forEachJsonItem(body, JSON_TRACES, batch, (o, resource, where) => {
    const traceId = hexFromJsonId(o.traceId ?? o.trace_id);
    const spanId = hexFromJsonId(o.spanId ?? o.span_id);
    const parentSpanId = hexFromJsonId(o.parentSpanId ?? o.parent_span_id);
    const problem =
      traceIdProblem(traceId) ??
      spanIdProblem(spanId) ??
      (parentSpanId === undefined ? 'parentSpanId is not hex' : parentSpanId ? spanIdProblem(parentSpanId, 'parentSpanId') : undefined);
    const start = microsFromNanos(o.startTimeUnixNano ?? o.start_time_unix_nano);
    const end = microsFromNanos(o.endTimeUnixNano ?? o.end_time_unix_nano);
    const timeProblem =
      start === undefined && (o.startTimeUnixNano ?? o.start_time_unix_nano) !== undefined
        ? 'startTimeUnixNano is not an unsigned integer'
        : end === undefined && (o.endTimeUnixNano ?? o.end_time_unix_nano) !== undefined
          ? 'endTimeUnixNano is not an unsigned integer'
          : undefined;
    if (problem ?? timeProblem) {
      reject(batch, where, (problem ?? timeProblem)!);
      return;
    }
    const status = (o.status ?? {}) as Record<string, unknown>;
    const rawEvents = Array.isArray(o.events) ? o.events : [];
    const events: SpanEventParts[] = rawEvents
      .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
      .map((e) => ({
        name: typeof e.name === 'string' ? e.name : '',
        timeMicros: microsFromNanos(e.timeUnixNano ?? e.time_unix_nano) ?? start ?? 0,
        attributes: attributesFromJson(e.attributes) as Attributes,
      }));
    spanToEvents(
      {
        name: typeof o.name === 'string' ? o.name : '',
        traceId: traceId!,
        spanId: spanId!,
        parentSpanId: parentSpanId || undefined,
        startMicros: start ?? 0,
        endMicros: end ?? start ?? 0,
        statusCode: statusCode(status.code),
        statusMessage: typeof status.message === 'string' && status.message ? status.message : undefined,
        attributes: attributesFromJson(o.attributes) as Attributes,
        resource,
        events,
      },
      batch.events,
    );
    batch.accepted += 1;
  });
  return batch;
}

/** Enums are integers in OTLP/JSON; the enum names are accepted as well. */
function statusCode(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'STATUS_CODE_OK') return 1;
  if (v === 'STATUS_CODE_ERROR') return 2;
  return 0;
}
