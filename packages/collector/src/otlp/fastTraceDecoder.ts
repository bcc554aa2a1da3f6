import type { Attributes } from '@opentelemetry/api';
import type { SpanEventParts } from '@debbie/model';
import type protobuf from 'protobufjs';
import { reject, type OtlpBatch } from './OtlpBatch.js';
import { fixed64Micros, hex, hexOf, idProblem, lenEnd, newIdMemo, readAttributeEntry, readString, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './otlpWire.js';
import { readExportRequest, type ExportRequestNames } from './readExportRequest.js';
import { spanToEvents } from './spanToEvents.js';

/*
 * The hot path of trace ingest: ExportTraceServiceRequest (protobuf) → DebbieEvents in one pass
 * over protobufjs's wire Reader (see otlpWire.ts), no message objects in between.
 * fastTraceDecoder.test.ts checks it against the reflection decoder.
 */

function readEvent(r: protobuf.Reader, end: number, fallbackMicros: number): SpanEventParts {
  let name = '';
  let time = -1;
  const attributes: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_FIXED64)) time = fixed64Micros(r);
    else if (tag === ((2 << 3) | WIRE_LEN)) name = r.string();
    else if (tag === ((3 << 3) | WIRE_LEN)) readAttributeEntry(r, end, attributes);
    else r.skipType(tag & 7);
  }
  return { name, timeMicros: time < 0 ? fallbackMicros : time, attributes: attributes as Attributes };
}

// The previous span's trace and parent ids (the hot path is single-threaded; bounded: two ids).
const lastTraceId = newIdMemo();
const lastParentId = newIdMemo();

/** Decodes one Span at [r.pos, end) and appends its events to the batch, or rejects it alone. */
function readSpan(r: protobuf.Reader, end: number, resource: Attributes, batch: OtlpBatch, where: string): void {
  const buf = r.buf;
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let problem: string | undefined;
  let name = '';
  let start = 0;
  let endMicros = -1;
  let statusCode = 0;
  let statusMessage: string | undefined;
  const attributes: Record<string, unknown> = {};
  let rawEvents: [number, number][] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        problem ??= idProblem(buf, r.pos, e, 16, 'traceId');
        traceId = hexOf(buf, r.pos, e, lastTraceId);
        r.pos = e;
        break;
      }
      case (2 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        problem ??= idProblem(buf, r.pos, e, 8, 'spanId');
        spanId = hex(buf, r.pos, e);
        r.pos = e;
        break;
      }
      case (4 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        if (e > r.pos) problem ??= idProblem(buf, r.pos, e, 8, 'parentSpanId');
        parentSpanId = hexOf(buf, r.pos, e, lastParentId);
        r.pos = e;
        break;
      }
      case (5 << 3) | WIRE_LEN:
        name = readString(r, end);
        break;
      case (7 << 3) | WIRE_FIXED64:
        start = fixed64Micros(r);
        break;
      case (8 << 3) | WIRE_FIXED64:
        endMicros = fixed64Micros(r);
        break;
      case (9 << 3) | WIRE_LEN:
        readAttributeEntry(r, end, attributes);
        break;
      case (11 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        (rawEvents ??= []).push([r.pos, e]);
        r.pos = e;
        break;
      }
      case (15 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        while (r.pos < e) {
          const t = r.uint32();
          if (t === ((2 << 3) | WIRE_LEN)) statusMessage = r.string() || undefined;
          else if (t === ((3 << 3) | WIRE_VARINT)) statusCode = r.int32();
          else r.skipType(t & 7);
        }
        r.pos = e;
        break;
      }
      default:
        r.skipType(tag & 7);
    }
  }
  // Absent ids are as invalid as wrong ones (the spec: trace_id and span_id are required).
  if (!traceId) problem ??= 'traceId must be 16 bytes, got 0';
  if (!spanId) problem ??= 'spanId must be 8 bytes, got 0';
  if (problem) {
    reject(batch, where, problem);
    return;
  }
  let events: SpanEventParts[] | undefined;
  if (rawEvents) {
    events = [];
    const saved = r.pos;
    for (const [s, e] of rawEvents) {
      r.pos = s;
      events.push(readEvent(r, e, start));
    }
    r.pos = saved;
  }
  spanToEvents(
    {
      name,
      traceId,
      spanId,
      parentSpanId: parentSpanId || undefined,
      startMicros: start,
      endMicros: endMicros < 0 ? start : endMicros,
      statusCode,
      statusMessage,
      attributes: attributes as Attributes,
      resource,
      events,
    },
    batch.events,
  );
  batch.accepted += 1;
}

const TRACE_REQUEST: ExportRequestNames = { request: 'ExportTraceServiceRequest', resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' };

/**
 * A protobuf ExportTraceServiceRequest → DebbieEvents, in one pass. Throws MalformedOtlpError
 * for a truncated or corrupt body; a span with bad ids is rejected alone.
 */
export function decodeTracesProtoFast(body: Uint8Array): OtlpBatch {
  return readExportRequest(body, TRACE_REQUEST, readSpan);
}
