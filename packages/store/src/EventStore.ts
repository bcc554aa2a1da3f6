import { renameSync, rmSync } from 'node:fs';
import type { DuckDBAppender, DuckDBConnection, DuckDBListType, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { duckdb, duckdbTimestamp } from './duckdb.js';
import {
  DebbieError,
  epochMicros,
  type DebbieEvent,
  type EventFilter,
  type QueryOptions,
  type SessionSummary,
  type SessionTimeline,
  type SpanNode,
} from '@debbie/model';
import { EVENT_COLUMNS, EVENTS_TABLE } from './schema.js';
import type { SessionListOptions, Store, StoreOptions, StoreStats } from './Store.js';
import { eventFromRow, SELECT_EVENT_COLUMNS, toStoredRow, type StoredRow } from './rows.js';
import {
  INSERT_ESCAPED_BATCH_SQL,
  INSERT_FROM_STAGING_SQL,
  INSERT_NEW_ESCAPED_BATCH_SQL,
  INSERT_NEW_PLAIN_BATCH_SQL,
  INSERT_PLAIN_BATCH_SQL,
  ROW_SEP,
  ROWS_IN_RANGE_SQL,
  STORED_IDS_SQL,
  STORED_PAIRS_SQL,
} from './batchText.js';
import { SliceEncoder, type EncodedEvents, type EncodedSlice } from './encodeRows.js';
import { whereFromFilter } from './sqlFilter.js';
import { WriteQueue } from './WriteQueue.js';
import { buildSpanTree } from './spanTree.js';
import { buildTimeline, DEFAULT_GAP_THRESHOLD_MS } from './timeline.js';
import { sessionSummaryFromRow } from './sessionSummaryRow.js';
import { LABEL_LOOKAHEAD, labelFromFields, USER_MESSAGE_PATTERN, type SessionLabel } from './sessionLabel.js';

export type { StoreOptions, StoreStats } from './Store.js';

/** Rows are appended in slices of this size, yielding to the event loop between them. */
const APPEND_SLICE = 2048;
/** The timestamp column's index: its text in a slice is each row's epoch µs. */
const TIMESTAMP_COLUMN = EVENT_COLUMNS.findIndex((c) => c.name === 'timestamp');
const ORDER_ASC = `"timestamp" ASC, rowid ASC`;
const ORDER_DESC = `"timestamp" DESC, rowid DESC`;

/**
 * Debbie's embedded event store on one DuckDB file: an EventSink (bounded, batched, non-blocking
 * writes through DuckDB's Appender; redaction is the pipeline's, before) and an EventReader (sessions,
 * filtered events, correlation groups, timelines, span trees). Create it with openStore().
 * Queries see what has been flushed; call forceFlush() first to include queued events.
 */
export class EventStore implements Store {
  readonly path: string;
  readonly readOnly: boolean;
  private readonly release: () => void;
  private readonly reader: DuckDBConnection;
  private readonly writer: DuckDBConnection | undefined;
  private readonly checkpointEveryRows: number;
  /** The bounded queue and the chain that serializes every use of the writer connection. */
  private readonly writes: WriteQueue;
  private closing: Promise<void> | undefined;
  private rowsSinceCheckpoint = 0;
  /** The exportParquet running, if any: exports take turns on the reader connection. */
  private exporting: Promise<void> = Promise.resolve();
  /** The write path's statements, prepared once on the writer (closed with it), by SQL text. */
  private readonly prepared = new Map<string, Promise<DuckDBPreparedStatement>>();

  /** @internal use openStore(). */
  constructor(path: string, release: () => void, reader: DuckDBConnection, writer: DuckDBConnection | undefined, options: StoreOptions = {}) {
    this.path = path;
    this.release = release;
    this.reader = reader;
    this.writer = writer;
    this.readOnly = writer === undefined;
    this.checkpointEveryRows = positive(options.checkpointEveryRows, 100_000, 'checkpointEveryRows');
    this.writes = new WriteQueue({
      batchSize: positive(options.batchSize, 10_000, 'batchSize'),
      flushIntervalMs: positive(options.flushIntervalMs, 250, 'flushIntervalMs'),
      maxQueuedEvents: positive(options.maxQueuedEvents, 100_000, 'maxQueuedEvents'),
      onError: options.onError,
      writeBatch: (events) => this.appendBatch(events),
    });
  }

  // ---- EventSink ------------------------------------------------------------------------

  /** Queues an event; never blocks or throws. Over maxQueuedEvents (or when closed) it is dropped and counted. */
  write(event: DebbieEvent): void {
    this.writes.write(event, !this.closing && !this.readOnly);
  }

  /**
   * Stores events in one transaction and resolves when they are in the file. Malformed events are
   * rejected alone (counted in stats().rejected); the promise rejects only when DuckDB itself fails
   * (nothing of the call is stored then). One transaction per call, not per batchSize: DuckDB
   * writes a large transaction for a third less than the same rows in 10k-row ones (a group
   * commit hands all that waits at once; the pipeline bounds it with maxPendingEvents).
   */
  async append(events: readonly DebbieEvent[]): Promise<void> {
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    if (this.readOnly) throw new DebbieError('store_read_only', 'the store was opened read-only', this.path);
    if (events.length > 0) await this.writes.enqueue(() => this.appendBatch(events));
  }

  /**
   * Deletes every event of the given sessions (after storing what is queued), so a session can be
   * recorded again without duplicates — `debbie demo` replays its deterministic sessions this way.
   * Returns how many events were deleted.
   */
  async deleteSessions(sessionIds: readonly string[]): Promise<number> {
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    const writer = this.writer;
    if (!writer) throw new DebbieError('store_read_only', 'the store was opened read-only', this.path);
    if (sessionIds.length === 0) return 0;
    await this.forceFlush();
    let deleted = 0;
    await this.writes.enqueue(async () => {
      const placeholders = sessionIds.map(() => '?').join(', ');
      const result = await writer.run(`DELETE FROM ${EVENTS_TABLE} WHERE session_id IN (${placeholders})`, [...sessionIds]);
      deleted = Number(result.rowsChanged);
    });
    return deleted;
  }

  /**
   * Moves the events of a trace stored under an inferred session (`from`, the trace id) to the
   * session a later span of the trace named (`to`), after storing what is queued; clears their
   * `session_inferred` mark. Returns how many events moved. See convertForeignEvent.
   */
  async relabelSession(traceId: string, from: string, to: string): Promise<number> {
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    const writer = this.writer;
    if (!writer) throw new DebbieError('store_read_only', 'the store was opened read-only', this.path);
    let moved = 0;
    await this.writes.afterQueued(async () => {
      const result = await writer.run(
        `UPDATE ${EVENTS_TABLE} SET session_id = ?, details = json_merge_patch(details, '{"session_inferred":null}') WHERE trace_id = ? AND session_id = ?`,
        [to, traceId, from],
      );
      moved = Number(result.rowsChanged);
    });
    return moved;
  }

  /**
   * Reads every stored block once (DuckDB checks each block's checksum as it reads), so a damaged
   * file is refused at start rather than failing later. Throws DebbieError `store_invalid`.
   */
  async verify(): Promise<void> {
    try {
      await this.reader.runAndReadAll(`SELECT min(COLUMNS(*)) FROM ${EVENTS_TABLE}`);
    } catch (error) {
      throw new DebbieError('store_invalid', `is damaged: ${(error as Error).message}; keep it aside for recovery and start with a fresh store`, this.path);
    }
  }

  /** Resolves when every event written so far is stored. */
  async forceFlush(): Promise<void> {
    await this.writes.flush();
  }

  /** Resolves when everything written so far is stored; rejects (store_write_failed) if any of it was dropped. */
  async commit(): Promise<void> {
    await this.writes.commit(this.path);
  }

  async shutdown(): Promise<void> {
    await this.close();
  }

  stats(): StoreStats {
    return this.writes.stats();
  }

  // ---- EventReader ----------------------------------------------------------------------

  /**
   * One summary per session, in order of first activity (newest first with order 'desc'), paged
   * with limit/offset. A page is found first by each session's start alone (one narrow GROUP BY),
   * then summarized from its own sessions' rows only: those start at the page's earliest start,
   * so DuckDB's zone maps skip the older row groups. The summary aggregates per (session, source)
   * first, so the per-source counts come with the rest.
   */
  async listSessions(options: SessionListOptions = {}): Promise<SessionSummary[]> {
    const direction = options.order === 'desc' ? 'DESC' : 'ASC';
    const params: DuckDBValue[] = [];
    let where = 'session_id IS NOT NULL';
    if (options.idPrefix !== undefined) {
      params.push(options.idPrefix);
      where += ` AND starts_with(session_id, $${params.length})`;
    }
    let page = '';
    if (options.limit !== undefined) {
      params.push(nonNegativeInt(options.limit, 'limit'));
      page += ` LIMIT $${params.length}`;
    }
    if (options.offset !== undefined) {
      params.push(nonNegativeInt(options.offset, 'offset'));
      page += ` OFFSET $${params.length}`;
    }
    if (options.limit !== undefined) {
      const starts = await this.rows(
        `SELECT session_id, epoch_us(min("timestamp")) AS first_us FROM ${EVENTS_TABLE} WHERE ${where}
          GROUP BY session_id ORDER BY first_us ${direction}, session_id ${direction}${page}`,
        params,
      );
      if (starts.length === 0) return [];
      let earliest = starts[0]!.first_us as bigint;
      for (const row of starts) if ((row.first_us as bigint) < earliest) earliest = row.first_us as bigint;
      const ids: DuckDBValue[] = starts.map((row) => row.session_id as string);
      const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');
      ids.push(duckdbTimestamp(earliest));
      return this.sessionSummaries(`session_id IN (${placeholders}) AND "timestamp" >= $${ids.length}`, ids, direction, '');
    }
    return this.sessionSummaries(where, params, direction, page);
  }

  /** The summaries of the sessions whose rows `where` selects, in order of first activity. */
  private async sessionSummaries(where: string, params: DuckDBValue[], direction: 'ASC' | 'DESC', page: string): Promise<SessionSummary[]> {
    const summaries = await this.rows(
      `SELECT session_id, min(first_us) AS first_us, max(last_us) AS last_us, sum(n) AS event_count,
              sum(errors) AS error_count, list_sort(list_distinct(flatten(list(agents)))) AS agents,
              list(source) AS sources, list(n) AS counts
         FROM (SELECT session_id, source,
                      epoch_us(min("timestamp")) AS first_us,
                      max(epoch_us("timestamp") + CAST(round(coalesce(duration_ms, 0) * 1000) AS BIGINT)) AS last_us,
                      count(*) AS n,
                      -- Debbie's own comments and interventions are about the session, never errors of it
                      count(*) FILTER (WHERE level IN ('ERROR', 'CRITICAL') AND source NOT IN ('debbie', 'debbie_comment')) AS errors,
                      coalesce(list(DISTINCT agent_id) FILTER (WHERE agent_id IS NOT NULL), []) AS agents
                 FROM ${EVENTS_TABLE} WHERE ${where} GROUP BY session_id, source)
        GROUP BY session_id ORDER BY first_us ${direction}, session_id ${direction}${page}`,
      params,
    );
    return summaries.map(sessionSummaryFromRow);
  }

  /** Events matching the filter, by timestamp (then insertion order). */
  async queryEvents(filter: EventFilter, options: QueryOptions = {}): Promise<DebbieEvent[]> {
    const where = whereFromFilter(filter);
    const params = [...where.params];
    const order = options.order === 'desc' ? ORDER_DESC : ORDER_ASC;
    let page = '';
    if (options.limit !== undefined) {
      params.push(nonNegativeInt(options.limit, 'limit'));
      page += ` LIMIT $${params.length}`;
    }
    if (options.offset !== undefined) {
      params.push(nonNegativeInt(options.offset, 'offset'));
      page += ` OFFSET $${params.length}`;
    }
    const sql = page
      ? pageOfRows(SELECT_EVENT_COLUMNS, where.sql, order, page)
      : `SELECT ${SELECT_EVENT_COLUMNS} FROM ${EVENTS_TABLE} WHERE ${where.sql} ORDER BY ${order}`;
    return (await this.rows(sql, params)).map(eventFromRow);
  }

  /**
   * The label of each of the sessions (those with events), from its first LABEL_LOOKAHEAD events,
   * in one query that returns one row per session: the label's fields are picked in SQL.
   * `since` (the earliest start among the sessions) lets DuckDB's zone maps skip older row groups.
   */
  async sessionLabels(sessionIds: readonly string[], options: { since?: string } = {}): Promise<Map<string, SessionLabel>> {
    const out = new Map<string, SessionLabel>();
    if (sessionIds.length === 0) return out;
    const params: DuckDBValue[] = [...sessionIds];
    const ids = sessionIds.map((_, i) => `$${i + 1}`).join(', ');
    let since = '';
    if (options.since !== undefined) {
      const micros = epochMicros(options.since);
      if (!Number.isFinite(micros)) throw new DebbieError('invalid_filter', `"${options.since}" is not an ISO-8601 timestamp`, 'since');
      params.push(duckdbTimestamp(BigInt(micros)));
      since = `$${params.length}`;
    }
    /** The rows of the sessions, in table `t`. */
    const where = (t: string) => `${t}.session_id IN (${ids})${since ? ` AND ${t}."timestamp" >= ${since}` : ''}`;
    params.push(USER_MESSAGE_PATTERN);
    const userMessage = `$${params.length}`;
    // Numbered on (session, time, rowid) alone, then joined back: sorting the wide rows cost twice as much.
    const rows = await this.rows(
      `SELECT session_id,
              arg_min(scenario, rn) FILTER (WHERE scenario IS NOT NULL) AS scenario,
              arg_min(event_summary, rn) FILTER (WHERE "action" = 'user_message' OR regexp_matches(event_summary, ${userMessage})) AS user_message,
              arg_min(service_name, rn) FILTER (WHERE service_name <> '') AS service_name,
              bool_and(session_inferred) AS inferred
         FROM (SELECT e.session_id, e."action", e.event_summary, e.service_name, n.rn,
                      CASE WHEN json_type(e.details, '$.scenario') = 'VARCHAR' THEN nullif(json_extract_string(e.details, '$.scenario'), '') END AS scenario,
                      coalesce(json_type(e.details, '$.session_inferred') = 'BOOLEAN' AND json_extract_string(e.details, '$.session_inferred') = 'true', false) AS session_inferred
                 FROM ${EVENTS_TABLE} e
                 JOIN (SELECT rowid AS id, row_number() OVER (PARTITION BY session_id ORDER BY ${ORDER_ASC}) AS rn FROM ${EVENTS_TABLE} f WHERE ${where('f')}
                        QUALIFY rn <= ${LABEL_LOOKAHEAD}) n ON e.rowid = n.id
                WHERE ${where('e')})
        GROUP BY session_id`,
      params,
    );
    for (const row of rows) {
      out.set(
        row.session_id as string,
        labelFromFields({
          scenario: (row.scenario as string | null) ?? null,
          user_message: (row.user_message as string | null) ?? null,
          service_name: (row.service_name as string | null) ?? null,
          inferred: row.inferred === true,
        }),
      );
    }
    return out;
  }

  /**
   * The rows of queryEvents in ascending order, `batchSize` (default 1000) at a time. Pages are
   * read by key (timestamp, rowid), so each costs the same and only one page is in memory.
   */
  async *streamEvents(filter: EventFilter, options: { batchSize?: number } = {}): AsyncIterable<DebbieEvent[]> {
    const pageSize = positive(options.batchSize, 1000, 'batchSize');
    const where = whereFromFilter(filter);
    let after: { ts: bigint; rowid: bigint } | undefined;
    for (;;) {
      const params: DuckDBValue[] = [...where.params];
      let keyClause = '';
      if (after) {
        params.push(duckdbTimestamp(after.ts), after.rowid);
        const ts = `$${params.length - 1}`;
        const rid = `$${params.length}`;
        keyClause = ` AND ("timestamp" > ${ts} OR ("timestamp" = ${ts} AND rowid > ${rid}))`;
      }
      params.push(pageSize);
      const rows = await this.rows(
        pageOfRows(`rowid AS __rowid, ${SELECT_EVENT_COLUMNS}`, `(${where.sql})${keyClause}`, ORDER_ASC, ` LIMIT $${params.length}`),
        params,
      );
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = { ts: BigInt(last.timestamp as bigint), rowid: BigInt(last.__rowid as bigint) };
      yield rows.map(eventFromRow);
      if (rows.length < pageSize) return;
    }
  }

  async countEvents(filter: EventFilter): Promise<number> {
    const where = whereFromFilter(filter);
    const rows = await this.rows(`SELECT count(*) AS n FROM ${EVENTS_TABLE} WHERE ${where.sql}`, where.params);
    return Number(rows[0]?.n ?? 0);
  }

  /** Every event sharing the correlation id, in time order. */
  async correlationGroup(correlationId: string): Promise<DebbieEvent[]> {
    return this.queryEvents({ correlationId });
  }

  /** The session's events in time order with durations, silences and depths; throws `session_not_found`. */
  async timeline(sessionId: string, options: { gapThresholdMs?: number } = {}): Promise<SessionTimeline> {
    const threshold = options.gapThresholdMs ?? DEFAULT_GAP_THRESHOLD_MS;
    if (!(threshold >= 0)) throw new DebbieError('invalid_option', `gapThresholdMs must be a non-negative number (got ${threshold})`);
    return buildTimeline(sessionId, await this.sessionEvents(sessionId), threshold);
  }

  /** Roots of the session's parent/child tree; throws `session_not_found`. */
  async spanTree(sessionId: string): Promise<SpanNode[]> {
    return buildSpanTree(await this.sessionEvents(sessionId));
  }

  /**
   * Writes the events matching the filter, in time order, to a Parquet file with DuckDB's own
   * COPY (the rows are already here: nothing passes through JavaScript). The file has the columns
   * of the streaming Parquet export (@debbie/exporters): a UTC TIMESTAMP, DOUBLE duration, tags
   * as LIST<STRING>, JSON fields as text. Written beside `path` and renamed into place, so a
   * failure leaves no partial file. Returns the number of events written.
   *
   * Rows already stored in time order (an ingested log file, for one) are copied without a
   * sort: sorting every column of every row was a quarter of the export. One look at the
   * timestamps alone, in the same transaction as the COPY, tells; DuckDB keeps a table's row
   * order through a scan (preserve_insertion_order, its default), and rowid, the order's tie
   * breaker, is that row order.
   */
  exportParquet(filter: EventFilter, path: string): Promise<number> {
    // One export at a time: each holds the reader connection's transaction.
    const run = this.exporting.then(() => this.exportParquetOnce(filter, path));
    this.exporting = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async exportParquetOnce(filter: EventFilter, path: string): Promise<number> {
    const where = whereFromFilter(filter);
    const columns = EVENT_COLUMNS.map((c) =>
      c.kind === 'timestamp'
        ? `timezone('UTC', "${c.name}") AS "${c.name}"`
        : c.kind === 'json'
          ? `CAST("${c.name}" AS VARCHAR) AS "${c.name}"`
          : `"${c.name}"`,
    ).join(', ');
    const partial = `${path}.partial-${process.pid}`;
    const literal = (p: string) => `'${p.replace(/'/g, "''")}'`;
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    const reader = this.reader;
    try {
      await reader.run('BEGIN TRANSACTION');
      try {
        const outOfOrder = await reader.runAndReadAll(
          `SELECT count(*) FILTER (WHERE "timestamp" < previous) AS n
             FROM (SELECT "timestamp", lag("timestamp") OVER (ORDER BY rowid) AS previous FROM ${EVENTS_TABLE} WHERE ${where.sql})`,
          where.params,
        );
        const inOrder = Number(outOfOrder.getRowsJS()[0]?.[0] ?? 1) === 0;
        const result = await reader.run(
          `COPY (SELECT ${columns} FROM ${EVENTS_TABLE} WHERE ${where.sql}${inOrder ? '' : ` ORDER BY ${ORDER_ASC}`}) TO ${literal(partial)} (FORMAT parquet, COMPRESSION snappy)`,
          where.params,
        );
        await reader.run('COMMIT');
        renameSync(partial, path);
        return Number(result.rowsChanged);
      } catch (error) {
        await reader.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      rmSync(partial, { force: true });
      throw new DebbieError('export_write_failed', `cannot write the Parquet file: ${(error as Error).message}`, path);
    }
  }

  /** Flushes what is queued, then releases the file. Idempotent; writes after it are dropped and counted. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    // this.closing is set: from here on write() drops and counts; what is queued still gets stored.
    await this.writes.settle(!this.readOnly);
    this.writer?.closeSync();
    this.reader.closeSync();
    this.release();
  }

  // ---- internals ------------------------------------------------------------------------

  private async sessionEvents(sessionId: string): Promise<DebbieEvent[]> {
    const events = await this.queryEvents({ sessionId });
    if (events.length === 0) {
      throw new DebbieError('session_not_found', `no events for session "${sessionId}" in ${this.path}; run \`debbie sessions\` to list them`);
    }
    return events;
  }

  private async rows(sql: string, params: DuckDBValue[] = []): Promise<Record<string, unknown>[]> {
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    const reader = await this.reader.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  private async appendBatch(events: readonly DebbieEvent[]): Promise<void> {
    const writer = this.writer;
    if (!writer) throw new DebbieError('store_read_only', 'the store was opened read-only', this.path);
    // Validate and encode a slice at a time, yielding between slices, so a batch never holds the
    // event loop for long; a malformed event is rejected here, alone. Then the whole call goes to
    // DuckDB at once (commitSlices): one statement when no row is stored yet.
    const accepted: DebbieEvent[] = [];
    const slices: EncodedSlice[] = [];
    const encoder = new SliceEncoder(); // its ids of this batch: a repeat within it is a duplicate
    for (let next = 0; next < events.length; ) {
      if (next > 0) await yieldToEventLoop();
      const end = Math.min(next + APPEND_SLICE, events.length);
      for (; next < end; next++) {
        const event = events[next]!;
        try {
          if (!encoder.add(event)) {
            this.writes.counters.duplicates += 1;
            continue;
          }
        } catch (error) {
          this.reject(error as Error);
          continue;
        }
        accepted.push(event);
      }
      const slice = encoder.take();
      if (slice) slices.push(slice);
    }
    let inserted: number;
    try {
      inserted = await this.commitSlices(writer, slices, true); // one encoder: no id repeats among the slices
    } catch (error) {
      // Nothing of the batch is stored: store it value by value (slower, but it takes any string
      // the client can convert). Not a failure, so onError is not called; lastError keeps why.
      this.writes.lastError = `batch insert failed, retried through the Appender: ${(error as Error).message}`;
      inserted = await this.appendThroughAppender(writer, accepted, [], new Set(accepted.map((e) => e.event_id)));
    }
    this.counted(accepted.length, inserted);
    await this.checkpointNow(inserted);
  }

  /**
   * Stores events encoded elsewhere (an ingest worker: SliceEncoder, validated there) in one
   * transaction, and resolves when they are in the file. Ids already stored at the same time add
   * nothing (duplicates). The promise rejects when DuckDB fails (nothing of it is stored then).
   */
  async appendEncoded(batches: readonly EncodedEvents[]): Promise<void> {
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    const writer = this.writer;
    if (!writer) throw new DebbieError('store_read_only', 'the store was opened read-only', this.path);
    await this.writes.enqueue(async () => {
      const slices = batches.flatMap((b) => b.slices);
      let rows = 0;
      for (const slice of slices) rows += slice.rows;
      let inserted: number;
      try {
        // One encoding (batch) never repeats an id; several may.
        inserted = await this.commitSlices(writer, slices, batches.length < 2);
      } catch (error) {
        this.writes.report(error as Error);
        throw error;
      }
      for (const batch of batches) this.writes.counters.duplicates += batch.duplicates;
      this.counted(rows, inserted);
      await this.checkpointNow(inserted);
    });
  }

  /**
   * Inserts the slices atomically (all or nothing); returns the rows added. Their rows go in as ONE
   * INSERT of all their column texts, its own transaction: no BEGIN/COMMIT round trips, no
   * anti-join, DuckDB's per-statement cost paid once. Rows already stored (same id at the same
   * time) are left out first, found by one look-up of the ids, which is skipped when no row is
   * stored in their time range at all (a file ingested in time order). `idsUnique`: no id repeats
   * among the slices (else a repeat at the same time is left out here too, keeping the first).
   */
  private async commitSlices(writer: DuckDBConnection, slices: readonly EncodedSlice[], idsUnique: boolean): Promise<number> {
    if (slices.length === 0) return 0;
    if (slices.some((s) => s.ids === undefined)) return this.insertEachChecked(writer, slices);
    let all: EncodedSlice | undefined = slices.length === 1 ? slices[0]! : joinSlices(slices);
    const range = await this.statement(writer, ROWS_IN_RANGE_SQL);
    range.bind([all.minUs, all.maxUs]);
    const anyInRange = Number((await range.runAndReadAll()).getRows()[0]?.[0] ?? 1) > 0;
    if (anyInRange || !idsUnique) {
      const stored = new Set<string>();
      if (anyInRange) {
        const pairs = await this.statement(writer, STORED_PAIRS_SQL);
        pairs.bind([all.minUs, all.maxUs, all.ids!]);
        for (const [id, us] of (await pairs.runAndReadAll()).getRows()) stored.add(`${id as string}${ROW_SEP}${us as bigint}`);
      }
      if (stored.size > 0 || !idsUnique) all = withoutStored(all, stored);
      if (!all) return 0;
    }
    return this.insertSlice(writer, all, true);
  }

  /** Slices with an id that cannot be listed: each checked and inserted on its own (anti-join), in one transaction. */
  private async insertEachChecked(writer: DuckDBConnection, slices: readonly EncodedSlice[]): Promise<number> {
    if (slices.length === 1) return this.insertSlice(writer, slices[0]!);
    let inserted = 0;
    await writer.run('BEGIN TRANSACTION');
    try {
      for (const slice of slices) inserted += await this.insertSlice(writer, slice);
      await writer.run('COMMIT');
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return inserted;
  }

  /**
   * Inserts one slice in one statement; returns the rows added. `known`: none of its rows is stored
   * (true: a plain INSERT; false: the anti-join; undefined: its ids are checked first, when listed).
   */
  private async insertSlice(writer: DuckDBConnection, slice: EncodedSlice, known?: boolean): Promise<number> {
    let fresh = known ?? false;
    if (known === undefined && slice.ids !== undefined) fresh = (await this.storedIds(writer, slice.minUs, slice.maxUs, slice.ids)) === 0;
    const sql = fresh
      ? slice.plain
        ? INSERT_NEW_PLAIN_BATCH_SQL
        : INSERT_NEW_ESCAPED_BATCH_SQL
      : slice.plain
        ? INSERT_PLAIN_BATCH_SQL
        : INSERT_ESCAPED_BATCH_SQL;
    const insert = await this.statement(writer, sql);
    insert.bind(fresh ? slice.columns : [...slice.columns, slice.minUs, slice.maxUs, slice.rows]);
    const result = await insert.run();
    return Number(result.rowsChanged);
  }

  /** How many of the ids (joined by ROW_SEP) are stored at a time in minUs..maxUs. */
  private async storedIds(writer: DuckDBConnection, minUs: number, maxUs: number, ids: string): Promise<number> {
    const check = await this.statement(writer, STORED_IDS_SQL);
    check.bind([minUs, maxUs, ids]);
    const found = await check.runAndReadAll();
    return Number(found.getRows()[0]?.[0] ?? 1);
  }

  /**
   * A write-path statement, prepared on first use and kept: `run(sql, params)` parses, plans and
   * executes in three calls into DuckDB's thread pool each time, and each call waits for the
   * event loop on its way back; a kept statement is one call. Only the write chain uses them, one
   * at a time.
   */
  private statement(writer: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = writer.prepare(sql);
      this.prepared.set(sql, statement);
      statement.catch(() => this.prepared.delete(sql)); // a failed prepare is tried again next time
    }
    return statement;
  }

  /** Counts a written batch: `rows` sent, `inserted` added (the rest were stored already: duplicates). */
  private counted(rows: number, inserted: number): void {
    this.writes.counters.duplicates += rows - inserted;
    if (inserted === 0) return;
    this.writes.counters.appended += inserted;
    this.writes.counters.batches += 1;
  }

  private async checkpointNow(inserted: number): Promise<void> {
    this.rowsSinceCheckpoint += inserted;
    if (this.rowsSinceCheckpoint >= this.checkpointEveryRows) {
      this.rowsSinceCheckpoint = 0;
      // Runs on DuckDB's thread, not the event loop; keeps the WAL (and its replay on open) small.
      await this.writer!.run('CHECKPOINT');
    }
  }

  private reject(error: Error): void {
    this.writes.counters.rejected += 1;
    this.writes.report(error);
  }

  /** The row of a valid event; a malformed one is counted, reported and skipped (undefined). */
  private validRow(event: DebbieEvent): StoredRow | undefined {
    try {
      return toStoredRow(event);
    } catch (error) {
      this.reject(error as Error);
      return undefined;
    }
  }

  /**
   * The fallback write path: DuckDB's Appender, value by value, a slice at a time; visible at
   * flushSync(). `accepted` are validated already; `rest` are validated here and the valid ones
   * pushed onto `accepted`.
   */
  private async appendThroughAppender(writer: DuckDBConnection, accepted: DebbieEvent[], rest: readonly DebbieEvent[], seen: Set<string>): Promise<number> {
    // Appended to a staging table first, so events already stored can be left out on the way in.
    await writer.run(`CREATE TEMP TABLE IF NOT EXISTS staging AS SELECT * FROM ${EVENTS_TABLE} LIMIT 0`);
    await writer.run('DELETE FROM staging');
    const appender = await writer.createAppender('staging', null, 'temp');
    try {
      for (let start = 0; start < accepted.length; start += APPEND_SLICE) {
        if (start > 0) await yieldToEventLoop();
        appendRows(appender, accepted.slice(start, start + APPEND_SLICE).map(toStoredRow));
      }
      for (let start = 0; start < rest.length; start += APPEND_SLICE) {
        await yieldToEventLoop();
        const rows: StoredRow[] = [];
        for (const event of rest.slice(start, start + APPEND_SLICE)) {
          const row = this.validRow(event);
          if (row === undefined) continue;
          if (seen.has(event.event_id)) {
            this.writes.counters.duplicates += 1;
            continue;
          }
          seen.add(event.event_id);
          rows.push(row);
          accepted.push(event);
        }
        appendRows(appender, rows);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const result = await writer.run(INSERT_FROM_STAGING_SQL);
    await writer.run('DELETE FROM staging');
    return Number(result.rowsChanged);
  }
}

function appendRows(appender: DuckDBAppender, rows: readonly StoredRow[]): void {
  for (const row of rows) {
    for (let c = 0; c < EVENT_COLUMNS.length; c++) {
      const value = row[c];
      if (value === null || value === undefined) {
        appender.appendNull();
        continue;
      }
      switch (EVENT_COLUMNS[c]!.kind) {
        case 'timestamp':
          appender.appendTimestamp(duckdbTimestamp(value as bigint));
          break;
        case 'double':
          appender.appendDouble(value as number);
          break;
        case 'text_list':
          // Most events carry no tags; DuckDB casts the text '[]' to an empty list far more cheaply
          // than the client builds a list value.
          if ((value as string[]).length === 0) appender.appendVarchar('[]');
          else appender.appendList(duckdb().listValue(value as string[]), tagsType());
          break;
        default:
          appender.appendVarchar(value as string);
      }
    }
    appender.endRow();
  }
}

let tags: DuckDBListType | undefined;
/** The tags column's type, VARCHAR[] (made once, on first use). */
function tagsType(): DuckDBListType {
  tags ??= duckdb().LIST(duckdb().VARCHAR);
  return tags;
}

/**
 * A page of rows in order: the page is chosen on the row ids and sort keys alone, then only its
 * rows are read whole (every column of every candidate row read to keep 100 of them cost
 * `debbie events` across sessions ~0.1 s on 550k events; the id-only choice reads 1–2 ms of them).
 */
function pageOfRows(columns: string, where: string, order: string, page: string): string {
  return `SELECT ${columns} FROM ${EVENTS_TABLE}
     WHERE rowid IN (SELECT rowid FROM ${EVENTS_TABLE} WHERE ${where} ORDER BY ${order}${page})
     ORDER BY ${order}`;
}

/**
 * The slice without the rows whose `id ROW_SEP micros` is in `stored`, nor a row whose id and time
 * an earlier row of it had; undefined when no row is left. Splits the columns only when a row goes.
 */
function withoutStored(slice: EncodedSlice, stored: Set<string>): EncodedSlice | undefined {
  const ids = slice.ids!.split(ROW_SEP);
  const times = slice.columns[TIMESTAMP_COLUMN]!.split(ROW_SEP);
  const keep: number[] = [];
  for (let r = 0; r < ids.length; r++) {
    const key = `${ids[r]}${ROW_SEP}${times[r]}`;
    if (stored.has(key)) continue;
    stored.add(key);
    keep.push(r);
  }
  if (keep.length === ids.length) return slice;
  if (keep.length === 0) return undefined;
  let minUs = Number.POSITIVE_INFINITY;
  let maxUs = Number.NEGATIVE_INFINITY;
  for (const r of keep) {
    const us = Number(times[r]);
    if (us < minUs) minUs = us;
    if (us > maxUs) maxUs = us;
  }
  const pick = (text: string) => {
    const fields = text.split(ROW_SEP);
    return keep.map((r) => fields[r]).join(ROW_SEP);
  };
  return { columns: slice.columns.map(pick), plain: slice.plain, ids: pick(slice.ids!), minUs, maxUs, rows: keep.length };
}

/** The slices as one: their rows in order (each column's texts joined by ROW_SEP). */
function joinSlices(slices: readonly EncodedSlice[]): EncodedSlice {
  let rows = 0;
  let minUs = Number.POSITIVE_INFINITY;
  let maxUs = Number.NEGATIVE_INFINITY;
  for (const s of slices) {
    rows += s.rows;
    if (s.minUs < minUs) minUs = s.minUs;
    if (s.maxUs > maxUs) maxUs = s.maxUs;
  }
  return {
    columns: slices[0]!.columns.map((_, c) => slices.map((s) => s.columns[c]).join(ROW_SEP)),
    plain: slices.every((s) => s.plain),
    ids: slices.every((s) => s.ids !== undefined) ? slices.map((s) => s.ids).join(ROW_SEP) : undefined,
    minUs,
    maxUs,
    rows,
  };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new DebbieError('invalid_option', `${name} must be a positive number (got ${value})`);
  return value;
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new DebbieError('invalid_option', `${name} must be a non-negative integer (got ${value})`);
  return value;
}
