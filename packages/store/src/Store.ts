import { resolve } from 'node:path';
import type { DebbieEvent, EventReader, EventSink } from '@debbie/model';
import { isClickHouseSpec } from './clickhouse/url.js';
import type { SessionLabel } from './sessionLabel.js';

export type { SessionListOptions } from '@debbie/model';

/** Options of openStore, common to every backend. */
export interface StoreOptions {
  /** Open for queries only (no writes, no schema changes); other readers may share the file. Default false. */
  readOnly?: boolean;
  /** Events per batch (one transaction) of what write() queued. Default 10_000. (The DuckDB store's append() writes each call in one transaction.) */
  batchSize?: number;
  /** While anything is queued, flush at least this often (ms). Default 250. */
  flushIntervalMs?: number;
  /** Bound of the write() queue; events beyond it are dropped and counted. Default 100_000. */
  maxQueuedEvents?: number;
  /** Rows appended between two background CHECKPOINTs (keeps the WAL small). Default 100_000. */
  checkpointEveryRows?: number;
  /** Called for each event rejected as malformed and for each failed batch. Default: only counted. */
  onError?: (error: Error) => void;
}

/** Counters of the write path. */
export interface StoreStats {
  /** Rows stored. */
  appended: number;
  /** Events dropped: queue full, store closed or read-only, or a failed batch. */
  dropped: number;
  /** Malformed events rejected one by one (the rest of their batch is stored). */
  rejected: number;
  /** Events not stored again because one with the same id and time already was (idempotent ingest). */
  duplicates: number;
  /** Events waiting in the write() queue. */
  queued: number;
  /** Appender batches written. */
  batches: number;
  /** The message of the latest rejected event, failed batch or batch retried through the Appender, if any. */
  lastError: string | null;
}

/**
 * What every store backend offers (DuckDB file, ClickHouse server): the EventSink and EventReader
 * contract plus the write-side operations the CLI needs.
 */
export interface Store extends EventReader, EventSink {
  /** Where the store is: a file path, or a URL with its password masked. */
  readonly path: string;
  readonly readOnly: boolean;
  /** Stores events; resolves when they are durable (in the file; ClickHouse answered 200). */
  append(events: readonly DebbieEvent[]): Promise<void>;
  /**
   * Resolves when every event written so far is durable; rejects (DebbieError `store_write_failed`)
   * when any event written since the previous commit was not stored (failed batch, queue full,
   * store closed). What a collector may acknowledge after.
   */
  commit(): Promise<void>;
  deleteSessions(sessionIds: readonly string[]): Promise<number>;
  /**
   * The label of each of the sessions that has events (from its first events; see sessionLabel.ts),
   * in one query for a page of sessions. `since`, the earliest start among them, bounds the read.
   */
  sessionLabels(sessionIds: readonly string[], options?: { since?: string }): Promise<Map<string, SessionLabel>>;
  /** Moves a trace's events from its inferred session to the one a later span named; returns how many moved. */
  relabelSession(traceId: string, from: string, to: string): Promise<number>;
  stats(): StoreStats;
  /** Reads everything once and throws `store_invalid` when the data is damaged (a file store; a server checks its own). */
  verify?(): Promise<void>;
}

/** The store Debbie uses when neither --store nor DEBBIE_STORE names one (relative to the working directory). */
export const DEFAULT_STORE_PATH = '.debbie/debbie.duckdb';

/**
 * The store a command should open: `--store` if given, else the DEBBIE_STORE environment
 * variable, else DEFAULT_STORE_PATH. A file path is resolved against `cwd`; a
 * `clickhouse://` URL is kept as it is.
 */
export function resolveStoreSpec(cwd: string, flag: string | undefined, env: Record<string, string | undefined> = process.env): string {
  const spec = flag || env.DEBBIE_STORE || DEFAULT_STORE_PATH;
  return isClickHouseSpec(spec) || spec === ':memory:' ? spec : resolve(cwd, spec);
}
