import type { Attributes } from '@opentelemetry/api';
import type protobuf from 'protobufjs';
import { reject, type OtlpBatch } from './OtlpBatch.js';
import {
  fixed64Micros,
  hexOf,
  idProblem,
  lenEnd,
  newIdMemo,
  readAnyValue,
  readAttributeEntry,
  readString,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
} from './otlpWire.js';
import { readExportRequest, type ExportRequestNames } from './readExportRequest.js';
import { logToEvent } from './spanToEvents.js';

/*
 * The hot path of log ingest: ExportLogsServiceRequest (protobuf) → DebbieEvents in one pass over
 * protobufjs's wire Reader (see otlpWire.ts). fastLogsDecoder.test.ts checks it against the
 * reflection decoder.
 */

// The previous record's trace and span ids: records logged within one span come together.
const lastTraceId = newIdMemo();
const lastSpanId = newIdMemo();

/** Decodes one LogRecord at [r.pos, end) and appends its event, or rejects it alone. */
function readLogRecord(r: protobuf.Reader, end: number, resource: Attributes, batch: OtlpBatch, where: string): void {
  const buf = r.buf;
  let time = 0;
  let observed = 0;
  let severityNumber = 0;
  let severityText = '';
  let body: unknown;
  let traceId = '';
  let spanId = '';
  let eventName = '';
  let problem: string | undefined;
  const attributes: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | WIRE_FIXED64:
        time = fixed64Micros(r);
        break;
      case (11 << 3) | WIRE_FIXED64:
        observed = fixed64Micros(r);
        break;
      case (2 << 3) | WIRE_VARINT:
        severityNumber = r.int32();
        break;
      case (3 << 3) | WIRE_LEN:
        severityText = readString(r, end);
        break;
      case (5 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        body = readAnyValue(r, e, 0);
        r.pos = e;
        break;
      }
      case (6 << 3) | WIRE_LEN:
        readAttributeEntry(r, end, attributes);
        break;
      case (9 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        if (e > r.pos) problem ??= idProblem(buf, r.pos, e, 16, 'traceId');
        traceId = hexOf(buf, r.pos, e, lastTraceId);
        r.pos = e;
        break;
      }
      case (10 << 3) | WIRE_LEN: {
        const e = lenEnd(r, end);
        if (e > r.pos) problem ??= idProblem(buf, r.pos, e, 8, 'spanId');
        spanId = hexOf(buf, r.pos, e, lastSpanId);
        r.pos = e;
        break;
      }
      case (12 << 3) | WIRE_LEN:
        eventName = readString(r, end);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (problem) {
    reject(batch, where, problem);
    return;
  }
  batch.events.push(
    logToEvent(
      {
        // time_unix_nano, else the observed time (0 means unknown), else now.
        timeMicros: time || observed || Date.now() * 1000,
        severityNumber: severityNumber || undefined,
        severityText: severityText || undefined,
        body,
        attributes: attributes as Attributes,
        resource,
        traceId: traceId || undefined,
        spanId: spanId || undefined,
      },
      eventName || undefined,
    ),
  );
  batch.accepted += 1;
}

const LOGS_REQUEST: ExportRequestNames = { request: 'ExportLogsServiceRequest', resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords' };

/**
 * A protobuf ExportLogsServiceRequest → DebbieEvents, in one pass. Throws MalformedOtlpError for
 * a truncated or corrupt body; a record with bad ids is rejected alone.
 */
export function decodeLogsProtoFast(body: Uint8Array): OtlpBatch {
  return readExportRequest(body, LOGS_REQUEST, readLogRecord);
}
