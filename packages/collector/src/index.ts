export { startCollector } from './startCollector.js';
export type { CollectorOptions, CollectorStats, RunningCollector } from './startCollector.js';
export { EventPipeline } from './EventPipeline.js';
export type { EventPipelineOptions, EventPipelineStats } from './EventPipeline.js';
export { CollectorServer } from './http/CollectorServer.js';
export type { CollectorServerOptions } from './http/CollectorServer.js';
export { OtlpReceiver } from './http/OtlpReceiver.js';
export type { OtlpReceiverOptions, OtlpReceiverStats } from './http/OtlpReceiver.js';
export { QueryApi, NEXT_OFFSET_HEADER } from './http/QueryApi.js';
export type { QueryApiOptions } from './http/QueryApi.js';
export { QueryClient } from './QueryClient.js';
export type { QueryClientOptions } from './QueryClient.js';
export { isLoopbackHost, assertSafeBind } from './http/auth.js';
export { decodeJsonTraces, decodeProtoTraces } from './otlp/decodeTraces.js';
export { decodeJsonLogs, decodeProtoLogs } from './otlp/decodeLogs.js';
export { MalformedOtlpError } from './otlp/OtlpBatch.js';
export type { OtlpBatch } from './otlp/OtlpBatch.js';
export {
  decodeTraceRequestProto, decodeLogsRequestProto, decodeStatusProto, decodeExportResponseProto, RpcCode,
} from './otlp/otlpProto.js';
export type { OtlpSignal } from './otlp/otlpProto.js';
export { normalizeGenAiAttributes, finishForeignEvent } from './genai/normalizeGenAiAttributes.js';
