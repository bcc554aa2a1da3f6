import protobuf from 'protobufjs';
import { OTLP_DESCRIPTOR } from './otlpDescriptor.js';
import type { OtlpSignal } from './otlpProto.js';

/*
 * For tests (not in the package's public API): an OTLP/JSON export request → the same request as
 * protobuf, so a fixture recorded as JSON also goes through the protobuf ways in (HTTP, gRPC).
 */

const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR as unknown as protobuf.INamespace);
const TYPES: Record<OtlpSignal, protobuf.Type> = {
  traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
};
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** OTLP/JSON writes ids as hex; protobufjs' fromObject reads bytes from base64 or buffers. */
function idsToBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(idsToBytes);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = ID_KEYS.has(key) && typeof v === 'string' ? Buffer.from(v, 'hex') : idsToBytes(v);
  return out;
}

export function otlpJsonToProto(signal: OtlpSignal, request: unknown): Uint8Array {
  const type = TYPES[signal];
  return type.encode(type.fromObject(idsToBytes(request) as Record<string, unknown>)).finish();
}
