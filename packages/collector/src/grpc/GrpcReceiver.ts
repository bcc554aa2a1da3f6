import * as grpc from '@grpc/grpc-js';
import { DebbieError } from '@debbie/model';
import { PipelineUnavailableError, type Pipeline } from '@debbie/pipeline';
import { bearerProblem } from '../http/auth.js';
import { newReceiverStats, type OtlpReceiverStats } from '../http/OtlpReceiver.js';
import { decodeLogsProtoFast } from '../otlp/fastLogsDecoder.js';
import { decodeTracesProtoFast } from '../otlp/fastTraceDecoder.js';
import { acceptBatch } from '../otlp/acceptBatch.js';
import { MalformedOtlpError } from '../otlp/OtlpBatch.js';
import { encodeExportResponseProto, type OtlpSignal } from '../otlp/otlpProto.js';

export interface GrpcReceiverOptions {
  /** The same pipeline the HTTP receiver writes to: answered only once committed. */
  pipeline: Pick<Pipeline, 'writeBatch' | 'checkAvailable'>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4317 (OTLP/gRPC); 0 picks a free port. */
  port?: number;
  /** Bearer token checked on the `authorization` metadata, as on OTLP/HTTP. */
  token?: string | undefined;
  /** Largest request message, after decompression. Default 16 MiB (as OTLP/HTTP). */
  maxBodyBytes?: number;
  /** Request bytes being decoded and committed at once; beyond it requests get UNAVAILABLE (retryable). Default 64 MiB. */
  maxInflightBytes?: number;
}

type Handler = grpc.handleUnaryCall<Buffer, Buffer>;
const raw = (b: Buffer) => b;

/** The OTLP services with byte-level (de)serializers: the messages are decoded by our own fast decoders. */
function service(name: string): grpc.ServiceDefinition {
  return {
    Export: {
      path: `/${name}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
      originalName: 'export',
    },
  } as grpc.ServiceDefinition;
}
const TRACE_SERVICE = service('opentelemetry.proto.collector.trace.v1.TraceService');
const LOGS_SERVICE = service('opentelemetry.proto.collector.logs.v1.LogsService');

class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/**
 * OTLP/gRPC receiver (TraceService/Export, LogsService/Export), beside OTLP/HTTP with the same
 * semantics: the same decoders and pipeline acceptance (answered only after commit), the same
 * bearer token, size limit (RESOURCE_EXHAUSTED beyond it), in-flight byte budget and pipeline
 * backpressure (UNAVAILABLE, which OTLP exporters retry), INVALID_ARGUMENT for a malformed
 * message and partial_success for rejected items. gzip and deflate are decompressed by grpc-js.
 */
export class GrpcReceiver {
  private readonly server: grpc.Server;
  private readonly pipeline: GrpcReceiverOptions['pipeline'];
  private readonly token: string | undefined;
  private readonly maxInflightBytes: number;
  private readonly host: string;
  private readonly requestedPort: number;
  private inflight = 0;
  port = 0;
  readonly stats: OtlpReceiverStats = newReceiverStats();

  constructor(options: GrpcReceiverOptions) {
    this.pipeline = options.pipeline;
    this.token = options.token;
    this.maxInflightBytes = options.maxInflightBytes ?? 64 * 1024 * 1024;
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 4317;
    this.server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxBodyBytes ?? 16 * 1024 * 1024 });
    this.server.addService(TRACE_SERVICE, { Export: this.handler('traces') });
    this.server.addService(LOGS_SERVICE, { Export: this.handler('logs') });
  }

  /** host:port it listens on. */
  get address(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const where = `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.requestedPort}`;
      this.server.bindAsync(where, grpc.ServerCredentials.createInsecure(), (error, port) => {
        if (error) {
          return reject(
            /EADDRINUSE/.test(error.message)
              ? new DebbieError(
                  'port_in_use',
                  `OTLP/gRPC port ${where} is already in use (another collector?); pick another with --grpc-port, or --grpc-port off`,
                  '--grpc-port',
                )
              : error,
          );
        }
        this.port = port;
        resolve(port);
      });
    });
  }

  /** Stops taking calls; calls in progress finish (forced after `graceMs`). */
  close(graceMs = 5_000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private handler(signal: OtlpSignal): Handler {
    return (call, callback) => {
      this.stats.requests += 1;
      this.export(signal, call)
        .then((response) => callback(null, response))
        .catch((error: unknown) => {
          const e =
            error instanceof CallError
              ? error
              : error instanceof PipelineUnavailableError
                ? new CallError(grpc.status.UNAVAILABLE, `${error.message}; retry later`)
                : error instanceof MalformedOtlpError
                  ? new CallError(grpc.status.INVALID_ARGUMENT, error.message)
                  : new CallError(grpc.status.INTERNAL, `internal error: ${(error as Error).message}`);
          if (e.code === grpc.status.UNAVAILABLE) this.stats.requests_throttled += 1;
          else this.stats.requests_failed += 1;
          callback({ code: e.code, details: e.message });
        });
    };
  }

  private async export(signal: OtlpSignal, call: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
    const auth = call.metadata.get('authorization')[0];
    const problem = bearerProblem(typeof auth === 'string' ? auth : auth?.toString('utf8'), this.token);
    if (problem) throw new CallError(grpc.status.UNAUTHENTICATED, problem);
    const body = call.request;
    if (this.inflight > 0 && this.inflight + body.length > this.maxInflightBytes) {
      throw new CallError(grpc.status.UNAVAILABLE, `collector overloaded: ${this.inflight} bytes in flight (limit ${this.maxInflightBytes}); retry later`);
    }
    this.pipeline.checkAvailable();
    this.inflight += body.length;
    if (this.inflight > this.stats.peak_inflight_bytes) this.stats.peak_inflight_bytes = this.inflight;
    try {
      const batch = signal === 'traces' ? decodeTracesProtoFast(body) : decodeLogsProtoFast(body);
      const message = await acceptBatch(this.pipeline, this.stats, signal, batch);
      return Buffer.from(encodeExportResponseProto(signal, batch.rejected, message));
    } finally {
      this.inflight -= body.length;
    }
  }
}
