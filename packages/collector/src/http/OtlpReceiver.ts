import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventSink } from '@debbie/model';
import { decodeJsonLogs } from '../otlp/decodeLogs.js';
import { decodeLogsProtoFast } from '../otlp/fastLogsDecoder.js';
import { decodeJsonTraces } from '../otlp/decodeTraces.js';
import { decodeTracesProtoFast } from '../otlp/fastTraceDecoder.js';
import { MalformedOtlpError, problemSummary, type OtlpBatch } from '../otlp/OtlpBatch.js';
import {
  encodeExportResponseProto, encodeStatusProto, exportResponseJson, RpcCode, type OtlpSignal,
} from '../otlp/otlpProto.js';
import { HttpError } from './HttpError.js';
import { readBody } from './readBody.js';

export interface OtlpReceiverOptions {
  /** Where decoded events go (the pipeline). */
  sink: EventSink;
  /** Largest request body, after decompression. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Bodies being read and decoded at once; beyond it requests get 503 + Retry-After. Default 64 MiB. */
  maxInflightBytes?: number;
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
  /** Requests refused with 503 because too many bytes were in flight: the flood drop counter. */
  requests_throttled: number;
  /** Most request bytes held at once (bounded by maxInflightBytes + one body). */
  peak_inflight_bytes: number;
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
  private readonly sink: EventSink;
  private readonly maxBodyBytes: number;
  private readonly maxInflightBytes: number;
  private inflight = 0;
  readonly stats: OtlpReceiverStats = {
    requests: 0, spans_accepted: 0, spans_rejected: 0, logs_accepted: 0, logs_rejected: 0,
    events_written: 0, requests_failed: 0, requests_throttled: 0, peak_inflight_bytes: 0,
  };

  constructor(options: OtlpReceiverOptions) {
    this.sink = options.sink;
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.maxInflightBytes = options.maxInflightBytes ?? 64 * 1024 * 1024;
  }

  /** Handles one POST to /v1/traces or /v1/logs. Never throws. */
  async handle(signal: OtlpSignal, req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests += 1;
    const format = bodyFormat(req.headers['content-type']);
    let reserved = 0;
    try {
      if (!format) {
        throw new HttpError(415, `unsupported Content-Type "${req.headers['content-type'] ?? ''}"; send application/x-protobuf or application/json`, RpcCode.INVALID_ARGUMENT);
      }
      const declared = Number(req.headers['content-length']);
      reserved = Math.min(Number.isFinite(declared) && declared > 0 ? declared : this.maxBodyBytes, this.maxBodyBytes);
      if (this.inflight > 0 && this.inflight + reserved > this.maxInflightBytes) {
        reserved = 0;
        this.stats.requests_throttled += 1;
        throw new HttpError(503, `collector overloaded: ${this.inflight} bytes in flight (limit ${this.maxInflightBytes}); retry later`, RpcCode.UNAVAILABLE, { 'Retry-After': '1' });
      }
      this.inflight += reserved;
      if (this.inflight > this.stats.peak_inflight_bytes) this.stats.peak_inflight_bytes = this.inflight;
      const body = await readBody(req, { maxBytes: this.maxBodyBytes });
      const batch = this.decode(signal, format, body);
      for (const event of batch.events) this.sink.write(event);
      this.stats.events_written += batch.events.length;
      if (signal === 'traces') {
        this.stats.spans_accepted += batch.accepted;
        this.stats.spans_rejected += batch.rejected;
      } else {
        this.stats.logs_accepted += batch.accepted;
        this.stats.logs_rejected += batch.rejected;
      }
      const message = problemSummary(batch, signal === 'traces' ? 'spans' : 'log records');
      if (format === 'protobuf') send(res, 200, 'application/x-protobuf', Buffer.from(encodeExportResponseProto(signal, batch.rejected, message)));
      else send(res, 200, 'application/json', JSON.stringify(exportResponseJson(signal, batch.rejected, message)));
    } catch (error) {
      const e = error instanceof HttpError ? error
        : error instanceof MalformedOtlpError ? new HttpError(400, error.message, RpcCode.INVALID_ARGUMENT)
        : new HttpError(500, `internal error: ${(error as Error).message}`, 13);
      if (e.status !== 503) this.stats.requests_failed += 1;
      sendStatus(res, format ?? 'json', e);
    } finally {
      this.inflight -= reserved;
    }
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
