import type { IncomingMessage, ServerResponse } from 'node:http';
import { PipelineUnavailableError, type Pipeline } from '@debbie/pipeline';
import { decodeJsonLogs } from '../otlp/decodeLogs.js';
import { decodeLogsProtoFast } from '../otlp/fastLogsDecoder.js';
import { decodeJsonTraces } from '../otlp/decodeTraces.js';
import { decodeTracesProtoFast } from '../otlp/fastTraceDecoder.js';
import { acceptBatch } from '../otlp/acceptBatch.js';
import { MalformedOtlpError, type OtlpBatch } from '../otlp/OtlpBatch.js';
import { encodeExportResponseProto, encodeStatusProto, exportResponseJson, RpcCode, type OtlpSignal } from '../otlp/otlpProto.js';
import { HttpError } from './HttpError.js';
import { readBody } from './readBody.js';

export interface OtlpReceiverOptions {
  /** Where decoded events go; a request is answered 2xx only once its events are committed there. */
  pipeline: Pick<Pipeline, 'writeBatch' | 'checkAvailable'>;
  /** Largest request body, after decompression. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Request bytes received and not yet answered, across requests; beyond it requests get 503 + Retry-After. Default 64 MiB. */
  maxInflightBytes?: number;
  /** A request body that sends nothing for this long gets 408. Default 10 s. */
  idleBodyTimeoutMs?: number;
}

/** Counters of the receiver (also served at /api/stats). */
export interface OtlpReceiverStats {
  requests: number;
  spans_accepted: number;
  spans_rejected: number;
  logs_accepted: number;
  logs_rejected: number;
  events_written: number;
  /** Requests answered 4xx (malformed, too large, unsupported type, unauthorized). */
  requests_failed: number;
  /** Requests refused with 503 (too many bytes in flight, store behind or failing): the sender retries them. */
  requests_throttled: number;
  /** Most request bytes held at once (bounded by maxInflightBytes + one body). */
  peak_inflight_bytes: number;
}

/** Counters at zero, for the HTTP and the gRPC receiver alike. */
export function newReceiverStats(): OtlpReceiverStats {
  return {
    requests: 0,
    spans_accepted: 0,
    spans_rejected: 0,
    logs_accepted: 0,
    logs_rejected: 0,
    events_written: 0,
    requests_failed: 0,
    requests_throttled: 0,
    peak_inflight_bytes: 0,
  };
}

type BodyFormat = 'protobuf' | 'json';

const PROTOBUF_TYPES = new Set(['application/x-protobuf', 'application/protobuf']);

function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (PROTOBUF_TYPES.has(type)) return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * OTLP/HTTP receiver for /v1/traces and /v1/logs, answering as the OTLP specification says:
 * 200 with an Export*ServiceResponse (partial_success when items were rejected), 400 with a
 * google.rpc.Status for a malformed body, 413 over the size limit, 415 for an unsupported
 * Content-Type, 503 + Retry-After when overloaded. The response encoding matches the request's.
 */
export class OtlpReceiver {
  private readonly pipeline: OtlpReceiverOptions['pipeline'];
  private readonly maxBodyBytes: number;
  private readonly maxInflightBytes: number;
  private readonly idleBodyTimeoutMs: number;
  private inflight = 0;
  readonly stats: OtlpReceiverStats = newReceiverStats();

  constructor(options: OtlpReceiverOptions) {
    this.pipeline = options.pipeline;
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.maxInflightBytes = options.maxInflightBytes ?? 64 * 1024 * 1024;
    this.idleBodyTimeoutMs = options.idleBodyTimeoutMs ?? 10_000;
  }

  /**
   * Handles one POST to /v1/traces or /v1/logs. Never throws. Answers 200 only after the events
   * are committed to the store; 503 + Retry-After (the OTLP retryable answer) when the bytes in
   * flight are over budget, the store is behind, or it cannot write.
   */
  async handle(signal: OtlpSignal, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests += 1;
    const format = bodyFormat(req.headers['content-type']);
    let held = 0; // bytes of this request counted in this.inflight: what actually arrived
    try {
      if (!format) {
        throw new HttpError(
          415,
          `unsupported Content-Type "${req.headers['content-type'] ?? ''}"; send application/x-protobuf or application/json`,
          RpcCode.INVALID_ARGUMENT,
        );
      }
      this.refuseWhenBusy();
      const body = await readBody(req, {
        maxBytes: this.maxBodyBytes,
        idleTimeoutMs: this.idleBodyTimeoutMs,
        onBytes: (n) => {
          // Over budget with others in flight: refuse this one (alone, a request may use its whole maxBodyBytes).
          if (this.inflight + n > this.maxInflightBytes && this.inflight > held) throw this.overloaded();
          held += n;
          this.inflight += n;
          if (this.inflight > this.stats.peak_inflight_bytes) this.stats.peak_inflight_bytes = this.inflight;
        },
      });
      const batch = this.decode(signal, format, body);
      const message = await acceptBatch(this.pipeline, this.stats, signal, batch);
      if (format === 'protobuf') send(res, 200, 'application/x-protobuf', Buffer.from(encodeExportResponseProto(signal, batch.rejected, message)));
      else send(res, 200, 'application/json', JSON.stringify(exportResponseJson(signal, batch.rejected, message)));
    } catch (error) {
      const e =
        error instanceof HttpError
          ? error
          : error instanceof PipelineUnavailableError
            ? unavailable(error)
            : error instanceof MalformedOtlpError
              ? new HttpError(400, error.message, RpcCode.INVALID_ARGUMENT)
              : new HttpError(500, `internal error: ${(error as Error).message}`, 13);
      if (e.status === 503) this.stats.requests_throttled += 1;
      else this.stats.requests_failed += 1;
      sendStatus(res, format ?? 'json', e);
    } finally {
      this.inflight -= held;
    }
  }

  /** Refuses before reading when the budget is used up or the pipeline would refuse the events anyway. */
  private refuseWhenBusy(): void {
    if (this.inflight >= this.maxInflightBytes) throw this.overloaded();
    this.pipeline.checkAvailable();
  }

  private overloaded(): HttpError {
    return new HttpError(503, `collector overloaded: ${this.inflight} bytes in flight (limit ${this.maxInflightBytes}); retry later`, RpcCode.UNAVAILABLE, {
      'Retry-After': '1',
    });
  }

  private decode(signal: OtlpSignal, format: BodyFormat, body: Buffer): OtlpBatch {
    if (format === 'protobuf') {
      return signal === 'traces' ? decodeTracesProtoFast(body) : decodeLogsProtoFast(body);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new MalformedOtlpError(`body is not valid JSON: ${(error as Error).message}`);
    }
    return signal === 'traces' ? decodeJsonTraces(parsed) : decodeJsonLogs(parsed);
  }
}

/** The pipeline's refusal as the OTLP retryable answer: 503 UNAVAILABLE with Retry-After. */
export function unavailable(error: PipelineUnavailableError): HttpError {
  return new HttpError(503, `${error.message}; retry later`, RpcCode.UNAVAILABLE, { 'Retry-After': String(error.retryAfterSeconds) });
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** A failure as google.rpc.Status, encoded like the request (JSON when the type was not understood). */
export function sendStatus(res: ServerResponse, format: BodyFormat, e: HttpError): void {
  const headers: Record<string, string> = { ...e.headers };
  if (format === 'protobuf') send(res, e.status, 'application/x-protobuf', Buffer.from(encodeStatusProto(e.rpcCode, e.message)), headers);
  else send(res, e.status, 'application/json', JSON.stringify({ code: e.rpcCode, message: e.message }), headers);
}
