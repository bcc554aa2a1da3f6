import protobuf from 'protobufjs';
import { OTLP_DESCRIPTOR } from './otlpDescriptor.js';
import { MalformedOtlpError } from './OtlpBatch.js';
import type { ProtoTraceRequest } from './decodeTraces.js';
import type { ProtoLogsRequest } from './decodeLogs.js';

const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR as unknown as protobuf.INamespace);
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const TraceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const LogsResponse = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');
const RpcStatus = root.lookupType('google.rpc.Status');

function decode<T>(type: protobuf.Type, body: Uint8Array, what: string): T {
  try {
    return type.decode(body) as unknown as T;
  } catch (error) {
    throw new MalformedOtlpError(`${what} is not valid protobuf: ${(error as Error).message}`);
  }
}

/** Decodes a protobuf ExportTraceServiceRequest; MalformedOtlpError when truncated or corrupt. */
export function decodeTraceRequestProto(body: Uint8Array): ProtoTraceRequest {
  return decode(TraceRequest, body, 'ExportTraceServiceRequest');
}

export function decodeLogsRequestProto(body: Uint8Array): ProtoLogsRequest {
  return decode(LogsRequest, body, 'ExportLogsServiceRequest');
}

/** The OTLP signal a request carries. */
export type OtlpSignal = 'traces' | 'logs';

/** ExportTraceServiceResponse / ExportLogsServiceResponse: partial_success only when something was rejected. */
export function encodeExportResponseProto(signal: OtlpSignal, rejected: number, errorMessage: string): Uint8Array {
  if (signal === 'traces') {
    const msg = rejected > 0 || errorMessage ? { partialSuccess: { rejectedSpans: rejected, errorMessage } } : {};
    return TraceResponse.encode(TraceResponse.fromObject(msg)).finish();
  }
  const msg = rejected > 0 || errorMessage ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage } } : {};
  return LogsResponse.encode(LogsResponse.fromObject(msg)).finish();
}

/** The same response in OTLP/JSON (int64 as a decimal string, lowerCamelCase keys). */
export function exportResponseJson(signal: OtlpSignal, rejected: number, errorMessage: string): Record<string, unknown> {
  if (rejected === 0 && !errorMessage) return {};
  const count = signal === 'traces' ? { rejectedSpans: String(rejected) } : { rejectedLogRecords: String(rejected) };
  return { partialSuccess: { ...count, errorMessage } };
}

/** google.rpc.Status, the body of an OTLP failure response. */
export function encodeStatusProto(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
}

/** Decoders used by tests and tools to read what the receiver answered. */
export function decodeStatusProto(body: Uint8Array): { code: number; message: string } {
  const m = RpcStatus.toObject(RpcStatus.decode(body), { defaults: true }) as { code: number; message: string };
  return { code: m.code, message: m.message };
}

export function decodeExportResponseProto(signal: OtlpSignal, body: Uint8Array): { rejected: number; errorMessage: string } {
  const type = signal === 'traces' ? TraceResponse : LogsResponse;
  const m = type.toObject(type.decode(body), { longs: Number, defaults: false }) as {
    partialSuccess?: { rejectedSpans?: number; rejectedLogRecords?: number; errorMessage?: string };
  };
  const p = m.partialSuccess ?? {};
  return { rejected: p.rejectedSpans ?? p.rejectedLogRecords ?? 0, errorMessage: p.errorMessage ?? '' };
}

/** google.rpc.Code values used in failure responses. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
  UNIMPLEMENTED: 12,
} as const;
