import type { EventReader } from '@debbie/model';
import {
  createPipeline,
  type CommentaryFactory,
  type OptionalSink,
  type Pipeline,
  type PipelineOptions,
  type PipelineStats,
  type PipelineStore,
} from '@debbie/pipeline';
import type { EventSink } from '@debbie/model';
import { CollectorServer, type CollectorUi } from './http/CollectorServer.js';
import { OtlpReceiver, type OtlpReceiverStats } from './http/OtlpReceiver.js';
import { QueryApi } from './http/QueryApi.js';
import { GrpcReceiver } from './grpc/GrpcReceiver.js';

export interface CollectorOptions {
  /** The event store: requests are acknowledged once committed to it; read by the query API. */
  store?: (PipelineStore & Partial<EventReader> & { stats?: () => unknown }) | undefined;
  /** Best-effort sinks (the stream's LogStreamer, exporters); their drops are counted. */
  sinks?: readonly (OptionalSink | EventSink)[];
  /** Builds the commentary; its comments are fed back into the pipeline's sinks. */
  commentary?: CommentaryFactory | undefined;
  /** Events waiting for the store before requests get 503. Default 100,000. */
  maxPendingEvents?: number;
  /** Sink, store and commentary failures (counted in stats either way). */
  onError?: PipelineOptions['onError'];
  /** Default 127.0.0.1. */
  host?: string;
  /** OTLP/HTTP + query API port. Default 4318; 0 picks a free port. */
  port?: number;
  /** OTLP/gRPC port on the same host (`debbie collect` uses 4317); 0 picks a free port. Default: no gRPC receiver. */
  grpcPort?: number | undefined;
  /** Bearer token; default env DEBBIE_TOKEN. Required (16+ characters) when host is not loopback. */
  token?: string | undefined;
  /** Largest OTLP body after decompression. Default 16 MiB. */
  maxBodyBytes?: number;
  /** OTLP bytes received and not yet answered before 503s. Default 64 MiB. */
  maxInflightBytes?: number;
  /** A request body idle this long gets 408 and its connection is closed. Default 10 s. */
  idleBodyTimeoutMs?: number;
  /** Time a client has to send a request's headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** Largest /api/events page. Default 10,000. */
  maxPageSize?: number;
  /** Attribute names that carry the session (debbie.yaml `debbie_config.sessions.keys`). */
  sessionKeys?: readonly string[];
  /** The web console served at / (see @debbie/console). */
  ui?: CollectorUi | undefined;
}

export interface CollectorStats {
  receiver: OtlpReceiverStats;
  /** The OTLP/gRPC receiver's counters, when it runs. */
  grpc?: OtlpReceiverStats;
  /** Every event received (OTLP and POST /api/events), stored, refused, commented. */
  pipeline: PipelineStats;
  /** The store's own counters when it reports them. */
  store?: unknown;
}

/** A running collector. */
export interface RunningCollector {
  /** http://host:port of OTLP and the query API. */
  url: string;
  port: number;
  pipeline: Pipeline;
  receiver: OtlpReceiver;
  /** host:port of OTLP/gRPC, when it runs. */
  grpcAddress?: string;
  stats(): CollectorStats;
  /** Everything received so far is handed to the sinks (and the store has written it). */
  flush(): Promise<void>;
  /** Graceful stop: no new requests, in-flight ones finish, the pipeline flushes and shuts down. */
  close(): Promise<void>;
}

function isReader(store: CollectorOptions['store']): store is PipelineStore & EventReader {
  return !!store && typeof store.listSessions === 'function' && typeof store.queryEvents === 'function';
}

/**
 * Starts the collector: OTLP/HTTP receiver and POST /api/events → the pipeline (redaction, store,
 * commentary, sinks) and the query API over the store.
 * @example
 *   const c = await startCollector({ store: await openStore('.debbie/debbie.duckdb'), sinks: [streamer] });
 *   // point an OTLP exporter at `${c.url}/v1/traces`; later: await c.close();
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const token = options.token ?? (process.env.DEBBIE_TOKEN || undefined);
  const pipeline = createPipeline({
    store: options.store,
    sinks: options.sinks ?? [],
    commentary: options.commentary,
    onError: options.onError,
    ...(options.sessionKeys ? { sessionKeys: options.sessionKeys } : {}),
    ...(options.maxPendingEvents !== undefined ? { maxPendingEvents: options.maxPendingEvents } : {}),
  });
  const receiver = new OtlpReceiver({
    pipeline,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.maxInflightBytes !== undefined ? { maxInflightBytes: options.maxInflightBytes } : {}),
    ...(options.idleBodyTimeoutMs !== undefined ? { idleBodyTimeoutMs: options.idleBodyTimeoutMs } : {}),
  });
  const grpc =
    options.grpcPort === undefined
      ? undefined
      : new GrpcReceiver({
          pipeline,
          host: options.host ?? '127.0.0.1',
          port: options.grpcPort,
          token,
          ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
          ...(options.maxInflightBytes !== undefined ? { maxInflightBytes: options.maxInflightBytes } : {}),
        });
  const store = options.store;
  const stats = (): CollectorStats => ({
    receiver: { ...receiver.stats },
    ...(grpc ? { grpc: { ...grpc.stats } } : {}),
    pipeline: pipeline.stats(),
    ...(typeof store?.stats === 'function' ? { store: store.stats() } : {}),
  });
  const queryApi = isReader(store)
    ? new QueryApi({
        reader: store,
        stats,
        beforeRead: () => pipeline.forceFlush(),
        ...(options.maxPageSize !== undefined ? { maxPageSize: options.maxPageSize } : {}),
      })
    : undefined;
  let server: CollectorServer;
  try {
    server = new CollectorServer({
      receiver,
      queryApi,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 4318,
      token,
      eventSink: pipeline,
      ui: options.ui,
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.headersTimeoutMs !== undefined ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
    });
  } catch (error) {
    await pipeline.shutdown();
    throw error;
  }
  const port = await server.listen().catch(async (error: unknown) => {
    await pipeline.shutdown();
    throw error;
  });
  if (grpc) {
    await grpc.listen().catch(async (error: unknown) => {
      await server.close();
      await pipeline.shutdown();
      throw error;
    });
  }
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port,
    pipeline,
    receiver,
    ...(grpc ? { grpcAddress: grpc.address } : {}),
    stats,
    flush: () => pipeline.forceFlush(),
    close: () =>
      (closing ??= (async () => {
        await Promise.all([server.close(), grpc?.close()]);
        await pipeline.forceFlush();
        await pipeline.shutdown();
      })()),
  };
}
