import type { DebbieEvent, EventReader, EventSink } from '@debbie/model';
import { EventPipeline, type EventPipelineStats } from './EventPipeline.js';
import { CollectorServer } from './http/CollectorServer.js';
import { OtlpReceiver, type OtlpReceiverStats } from './http/OtlpReceiver.js';
import { QueryApi } from './http/QueryApi.js';

export interface CollectorOptions {
  /** The event store: written through the pipeline, read by the query API. */
  store?: (EventSink & Partial<EventReader>) | undefined;
  /** Other sinks (the stream's LogStreamer, exporters). */
  sinks?: EventSink[];
  /** Builds the commentary; `onComment` feeds its comments back into the pipeline. */
  commentary?: ((onComment: (event: DebbieEvent) => void) => EventSink) | undefined;
  /** Default 127.0.0.1. */
  host?: string;
  /** OTLP/HTTP + query API port. Default 4318; 0 picks a free port. */
  port?: number;
  /** Bearer token; default env DEBBIE_TOKEN. Required when host is not loopback. */
  token?: string | undefined;
  /** Largest OTLP body after decompression. Default 16 MiB. */
  maxBodyBytes?: number;
  /** OTLP bytes in flight before 503s. Default 64 MiB. */
  maxInflightBytes?: number;
  /** Largest /api/events page. Default 10,000. */
  maxPageSize?: number;
  /** Attribute names that carry the session (debbie.yaml `debbie_config.sessions.keys`). */
  sessionKeys?: readonly string[];
}

export interface CollectorStats {
  receiver: OtlpReceiverStats;
  pipeline: EventPipelineStats;
  /** The store's own counters (appended, dropped, queued…) when it reports them. */
  store?: unknown;
}

/** A running collector. */
export interface RunningCollector {
  /** http://host:port of OTLP and the query API. */
  url: string;
  port: number;
  pipeline: EventPipeline;
  receiver: OtlpReceiver;
  stats(): CollectorStats;
  /** Everything received so far is handed to the sinks (and the store has written it). */
  flush(): Promise<void>;
  /** Graceful stop: no new requests, in-flight ones finish, the pipeline flushes and shuts down. */
  close(): Promise<void>;
}

function isReader(store: CollectorOptions['store']): store is EventSink & EventReader {
  return !!store && typeof store.listSessions === 'function' && typeof store.queryEvents === 'function';
}

/**
 * Starts the collector: OTLP/HTTP receiver → pipeline (redact → store, commentary, other sinks)
 * and the query API over the store.
 * @example
 *   const c = await startCollector({ store: await openStore('.debbie/debbie.duckdb'), sinks: [streamer] });
 *   // point an OTLP exporter at `${c.url}/v1/traces`; later: await c.close();
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const token = options.token ?? (process.env.DEBBIE_TOKEN || undefined);
  const sinks = [...(options.store ? [options.store] : []), ...(options.sinks ?? [])];
  const pipeline = new EventPipeline({ sinks, ...(options.sessionKeys ? { sessionKeys: options.sessionKeys } : {}) });
  if (options.commentary) pipeline.setCommentary(options.commentary((e) => pipeline.comment(e)));
  const receiver = new OtlpReceiver({
    sink: pipeline,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.maxInflightBytes !== undefined ? { maxInflightBytes: options.maxInflightBytes } : {}),
  });
  const store = options.store as { stats?: () => unknown } | undefined;
  const stats = (): CollectorStats => ({
    receiver: { ...receiver.stats },
    pipeline: { ...pipeline.stats },
    ...(typeof store?.stats === 'function' ? { store: store.stats() } : {}),
  });
  const queryApi = isReader(options.store)
    ? new QueryApi({ reader: options.store, stats, beforeRead: () => options.store!.forceFlush(), ...(options.maxPageSize !== undefined ? { maxPageSize: options.maxPageSize } : {}) })
    : undefined;
  const server = new CollectorServer({
    receiver, queryApi, host: options.host ?? '127.0.0.1', port: options.port ?? 4318, token, eventSink: pipeline,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const port = await server.listen();
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port,
    pipeline,
    receiver,
    stats,
    flush: () => pipeline.forceFlush(),
    close: () => (closing ??= (async () => {
      await server.close();
      await pipeline.forceFlush();
      await pipeline.shutdown();
    })()),
  };
}
