import { DebbieError, type DebbieEvent, type EventFilter, type QueryOptions, type SessionSummary, type SessionTimeline, type SpanNode } from '@debbie/model';
import { EVENTS_TABLE } from '../schema.js';
import { toStoredRow } from '../rows.js';
import { buildSpanTree } from '../spanTree.js';
import { buildTimeline, DEFAULT_GAP_THRESHOLD_MS } from '../timeline.js';
import type { SessionListOptions, Store, StoreOptions, StoreStats } from '../Store.js';
import { ClickHouseHttp, quote, type RetryPolicy, DEFAULT_RETRY } from './http.js';
import { clickHouseWhere } from './filter.js';
import { eventFromClickHouseRow, InsertSequence, jsonEachRowLine, SELECT_CLICKHOUSE_COLUMNS } from './rows.js';
import { ensureClickHouseSchema, SEQ_COLUMN, SESSION_KEY, TIMESTAMP_COLUMN } from './schema.js';
import { parseClickHouseUrl, type ClickHouseLocation } from './url.js';
import { WriteQueue } from '../WriteQueue.js';
import { sessionSummaryFromRow } from '../sessionSummaryRow.js';
import { LABEL_LOOKAHEAD, labelFieldsOf, labelFromFields, type SessionLabel } from '../sessionLabel.js';

/** Options of a ClickHouse store, beyond the common ones. */
export interface ClickHouseStoreOptions extends StoreOptions {
  /** A batch's request body is cut at about this many bytes. Default 16 MiB. */
  maxBatchBytes?: number;
  /** Retries of a failed request. Default: 6 attempts, 100 ms doubling to 5 s, 30 s timeout each. */
  retry?: Partial<RetryPolicy>;
}

const ORDER_ASC = `${TIMESTAMP_COLUMN} ASC, ${SEQ_COLUMN} ASC`;
const ORDER_DESC = `${TIMESTAMP_COLUMN} DESC, ${SEQ_COLUMN} DESC`;
/** LIMIT without a bound, for an OFFSET alone (18.16 has only `LIMIT offset, count`). */
const NO_LIMIT = '1000000000000000000';

/**
 * Debbie's shared store on a ClickHouse server, over its HTTP interface: the same EventSink and
 * EventReader contract as the DuckDB store. Several collectors may write one database at once.
 * Writes are queued (bounded), batched and sent as `INSERT … FORMAT JSONEachRow`; a batch is
 * stored when the server answered 200 (retried with backoff before that). Reads dedupe by event
 * id with FINAL. Create it with openStore('clickhouse://…').
 */
export class ClickHouseStore implements Store {
  readonly path: string;
  readonly readOnly: boolean;
  private readonly http: ClickHouseHttp;
  private readonly table: string;
  private readonly maxBatchBytes: number;
  private readonly seq = new InsertSequence();
  // Its counters: appended counts rows ClickHouse accepted; a row repeating a stored event id is
  // among them and collapses at read (FINAL) and in the background merge. duplicates counts
  // repeats within a batch.
  private readonly writes: WriteQueue;
  private closing: Promise<void> | undefined;

  /** @internal use openStore(). */
  constructor(location: ClickHouseLocation, http: ClickHouseHttp, readOnly: boolean, options: ClickHouseStoreOptions = {}) {
    this.path = location.display;
    this.readOnly = readOnly;
    this.http = http;
    this.table = `${location.database}.${EVENTS_TABLE}`;
    this.maxBatchBytes = positive(options.maxBatchBytes, 16 * 1024 * 1024, 'maxBatchBytes');
    this.writes = new WriteQueue({
      batchSize: positive(options.batchSize, 10_000, 'batchSize'),
      flushIntervalMs: positive(options.flushIntervalMs, 250, 'flushIntervalMs'),
      maxQueuedEvents: positive(options.maxQueuedEvents, 100_000, 'maxQueuedEvents'),
      onError: options.onError,
      writeBatch: (events) => this.insertBatch(events),
    });
  }

  // ---- EventSink ------------------------------------------------------------------------

  /** Queues an event; never blocks or throws. Over maxQueuedEvents (or when closed) it is dropped and counted. */
  write(event: DebbieEvent): void {
    this.writes.write(event, !this.closing && !this.readOnly);
  }

  /** Stores events; resolves when ClickHouse answered 200 for all of them. Malformed events are rejected alone. */
  async append(events: readonly DebbieEvent[]): Promise<void> {
    this.assertWritable();
    await this.writes.append(events);
  }

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

  /** Deletes every event of the sessions (after storing what is queued); waits until ClickHouse has applied it. */
  async deleteSessions(sessionIds: readonly string[]): Promise<number> {
    this.assertWritable();
    if (sessionIds.length === 0) return 0;
    await this.forceFlush();
    const where = `${SESSION_KEY} IN (${sessionIds.map(quote).join(', ')}) AND session_id IS NOT NULL`;
    const count = await this.count(where);
    if (count > 0) await this.mutate(`ALTER TABLE ${this.table} DELETE WHERE ${where}`);
    return count;
  }

  /**
   * Moves the events of a trace stored under an inferred session (`from`) to the session a later
   * span named (`to`), after storing what is queued, and clears their `session_inferred` mark —
   * as the DuckDB store does. The session is part of the sorting key, which ClickHouse cannot
   * UPDATE: the events are written again under the new session, then the old rows deleted.
   * Returns how many events moved.
   */
  async relabelSession(traceId: string, from: string, to: string): Promise<number> {
    this.assertWritable();
    let moved = 0;
    await this.writes.afterQueued(async () => {
      const where = `trace_id = ${quote(traceId)} AND ${SESSION_KEY} = ${quote(from)} AND session_id IS NOT NULL`;
      const rows = await this.http.rows(`SELECT ${SELECT_CLICKHOUSE_COLUMNS} FROM ${this.table} FINAL WHERE ${where} ORDER BY ${ORDER_ASC}`);
      if (rows.length === 0 || from === to) return;
      const events = rows.map(eventFromClickHouseRow).map((event) => {
        const { session_inferred: _mark, ...details } = event.details as Record<string, unknown>;
        return { ...event, session_id: to, details } as DebbieEvent;
      });
      await this.insertBatch(events);
      await this.mutate(`ALTER TABLE ${this.table} DELETE WHERE ${where}`);
      moved = events.length;
    });
    return moved;
  }

  // ---- EventReader ----------------------------------------------------------------------

  /**
   * One summary per session, in order of first activity (or newest first with order 'desc'). A
   * page (limit) is found by each session's start alone, then only its sessions are summarized
   * (the session leads the sorting key, so ClickHouse reads just their parts), as the DuckDB store does.
   */
  async listSessions(options: SessionListOptions = {}): Promise<SessionSummary[]> {
    const direction = options.order === 'desc' ? 'DESC' : 'ASC';
    // substring() rather than startsWith(), which 18.16 lacks.
    let where = 'session_id IS NOT NULL';
    if (options.idPrefix !== undefined) where += ` AND substring(session_id, 1, ${Buffer.byteLength(options.idPrefix)}) = ${quote(options.idPrefix)}`;
    if (options.limit !== undefined) {
      const starts = await this.rows(
        `SELECT session_id, min(${TIMESTAMP_COLUMN}) AS first_us FROM ${this.table} FINAL WHERE ${where}
          GROUP BY session_id ORDER BY first_us ${direction}, session_id ${direction}${limitClause(options)}`,
      );
      if (starts.length === 0) return [];
      where = `${SESSION_KEY} IN (${starts.map((row) => quote(row.session_id as string)).join(', ')}) AND session_id IS NOT NULL`;
      return this.sessionSummaries(where, direction, '');
    }
    return this.sessionSummaries(where, direction, limitClause(options));
  }

  /** The summaries of the sessions whose rows `where` selects, in order of first activity. */
  private async sessionSummaries(where: string, direction: 'ASC' | 'DESC', page: string): Promise<SessionSummary[]> {
    // Aggregated per (session, source) first, so the per-source counts come in the same query.
    const summaries = await this.rows(
      `SELECT session_id,
              min(first) AS first_us, max(last) AS last_us, sum(n) AS event_count, sum(errors) AS error_count,
              arraySort(groupUniqArrayArray(agents)) AS agents, groupArray(source) AS sources, groupArray(n) AS counts
         FROM (SELECT session_id, source,
                      min(${TIMESTAMP_COLUMN}) AS first,
                      max(${TIMESTAMP_COLUMN} + toInt64(round(ifNull(duration_ms, 0) * 1000))) AS last,
                      count() AS n, countIf(level IN ('ERROR', 'CRITICAL') AND source NOT IN ('debbie', 'debbie_comment')) AS errors,
                      groupUniqArray(agent_id) AS agents
                 FROM ${this.table} FINAL WHERE ${where} GROUP BY session_id, source)
        GROUP BY session_id ORDER BY first_us ${direction}, session_id ${direction}${page}`,
    );
    return summaries.map(sessionSummaryFromRow);
  }

  async queryEvents(filter: EventFilter, options: QueryOptions = {}): Promise<DebbieEvent[]> {
    const sql = `SELECT ${SELECT_CLICKHOUSE_COLUMNS} FROM ${this.table} FINAL WHERE ${clickHouseWhere(filter)}
      ORDER BY ${options.order === 'desc' ? ORDER_DESC : ORDER_ASC}${limitClause(options)}`;
    return (await this.rows(sql)).map(eventFromClickHouseRow);
  }

  /** The label of each of the sessions (those with events), from its first LABEL_LOOKAHEAD events, in one query. */
  async sessionLabels(sessionIds: readonly string[], options: { since?: string } = {}): Promise<Map<string, SessionLabel>> {
    const out = new Map<string, SessionLabel>();
    if (sessionIds.length === 0) return out;
    // The fields are picked here from whole details: 18.16's JSON functions cannot tell a
    // top-level key from a nested one.
    const rows = await this.rows(`SELECT session_id, action, event_summary, service_name, details FROM ${this.table} FINAL
      WHERE ${SESSION_KEY} IN (${sessionIds.map(quote).join(', ')}) AND session_id IS NOT NULL${options.since === undefined ? '' : ` AND ${clickHouseWhere({ since: options.since })}`}
      ORDER BY session_id, ${ORDER_ASC} LIMIT ${LABEL_LOOKAHEAD} BY session_id`);
    const heads = new Map<string, Pick<DebbieEvent, 'action' | 'event_summary' | 'service_name' | 'details'>[]>();
    for (const row of rows) {
      const id = row.session_id as string;
      if (!heads.has(id)) heads.set(id, []);
      heads.get(id)!.push({
        action: row.action as string,
        event_summary: row.event_summary as string,
        service_name: row.service_name as string | null,
        details: JSON.parse(row.details as string) as Record<string, unknown>,
      });
    }
    for (const [id, events] of heads) out.set(id, labelFromFields(labelFieldsOf(events)));
    return out;
  }

  /** The rows of queryEvents in ascending order, a page at a time, read by key (timestamp, insert_seq). */
  async *streamEvents(filter: EventFilter, options: { batchSize?: number } = {}): AsyncIterable<DebbieEvent[]> {
    const pageSize = positive(options.batchSize, 1000, 'batchSize');
    const where = clickHouseWhere(filter);
    let after: { ts: string; seq: string } | undefined;
    for (;;) {
      const key = after ? ` AND (${TIMESTAMP_COLUMN} > ${after.ts} OR (${TIMESTAMP_COLUMN} = ${after.ts} AND ${SEQ_COLUMN} > ${after.seq}))` : '';
      const rows = await this.rows(`SELECT ${SELECT_CLICKHOUSE_COLUMNS} FROM ${this.table} FINAL
        WHERE (${where})${key} ORDER BY ${ORDER_ASC} LIMIT ${pageSize}`);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = { ts: String(BigInt(last[TIMESTAMP_COLUMN] as string)), seq: String(BigInt(last[SEQ_COLUMN] as string)) };
      yield rows.map(eventFromClickHouseRow);
      if (rows.length < pageSize) return;
    }
  }

  async countEvents(filter: EventFilter): Promise<number> {
    return this.count(clickHouseWhere(filter));
  }

  async correlationGroup(correlationId: string): Promise<DebbieEvent[]> {
    return this.queryEvents({ correlationId });
  }

  async timeline(sessionId: string, options: { gapThresholdMs?: number } = {}): Promise<SessionTimeline> {
    const threshold = options.gapThresholdMs ?? DEFAULT_GAP_THRESHOLD_MS;
    if (!(threshold >= 0)) throw new DebbieError('invalid_option', `gapThresholdMs must be a non-negative number (got ${threshold})`);
    return buildTimeline(sessionId, await this.sessionEvents(sessionId), threshold);
  }

  async spanTree(sessionId: string): Promise<SpanNode[]> {
    return buildSpanTree(await this.sessionEvents(sessionId));
  }

  /** Stores what is queued, then stops. Idempotent; writes after it are dropped and counted. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    await this.writes.settle(!this.readOnly);
  }

  // ---- internals ------------------------------------------------------------------------

  private assertWritable(): void {
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    if (this.readOnly) throw new DebbieError('store_read_only', 'the store was opened read-only', this.path);
  }

  private async sessionEvents(sessionId: string): Promise<DebbieEvent[]> {
    const events = await this.queryEvents({ sessionId });
    if (events.length === 0) {
      throw new DebbieError('session_not_found', `no events for session "${sessionId}" in ${this.path}; run \`debbie sessions\` to list them`);
    }
    return events;
  }

  private async count(where: string): Promise<number> {
    const [row] = await this.rows(`SELECT count() AS n FROM ${this.table} FINAL WHERE ${where}`);
    return Number(row?.n ?? 0);
  }

  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    if (this.closing) throw new DebbieError('store_closed', 'the store is closed', this.path);
    return this.http.rows(sql);
  }

  /** Runs an ALTER … DELETE and waits until the server has applied it (18.16 has no mutations_sync). */
  private async mutate(sql: string): Promise<void> {
    await this.http.query(sql);
    const [database, table] = this.table.split('.') as [string, string];
    for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
      const [row] = await this.http.rows(
        `SELECT count() AS pending FROM system.mutations WHERE database = ${quote(database)} AND table = ${quote(table)} AND is_done = 0`,
      );
      if (Number(row?.pending ?? 0) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * Validates each event (a malformed one is rejected alone; redaction is the pipeline's), then sends the rows in
   * requests of at most maxBatchBytes. A request that failed after its retries rejects; requests
   * already answered stay stored (a resend of them adds nothing: same event ids).
   */
  private async insertBatch(events: readonly DebbieEvent[]): Promise<void> {
    let body = '';
    let rows = 0;
    const send = async () => {
      if (rows === 0) return;
      await this.http.insertJsonEachRow(this.table, body);
      this.writes.counters.appended += rows;
      this.writes.counters.batches += 1;
      body = '';
      rows = 0;
    };
    const seen = new Set<string>();
    for (const event of events) {
      let line: string;
      try {
        line = jsonEachRowLine(toStoredRow(event), this.seq.next());
      } catch (error) {
        this.writes.counters.rejected += 1;
        this.writes.report(error as Error);
        continue;
      }
      if (seen.has(event.event_id)) {
        this.writes.counters.duplicates += 1;
        continue;
      }
      seen.add(event.event_id);
      body += line;
      rows += 1;
      if (body.length >= this.maxBatchBytes) await send();
    }
    await send();
  }
}

/** Opens a ClickHouse store: checks the server answers, creates the schema unless read-only. */
export async function openClickHouseStore(spec: string, options: ClickHouseStoreOptions = {}): Promise<ClickHouseStore> {
  const location = parseClickHouseUrl(spec);
  const http = new ClickHouseHttp(location, { ...DEFAULT_RETRY, ...options.retry });
  const readOnly = options.readOnly === true;
  await ensureClickHouseSchema(http, location, readOnly);
  return new ClickHouseStore(location, http, readOnly, options);
}

function limitClause(options: { limit?: number; offset?: number }): string {
  const limit = options.limit === undefined ? undefined : nonNegativeInt(options.limit, 'limit');
  const offset = options.offset === undefined ? 0 : nonNegativeInt(options.offset, 'offset');
  if (limit === undefined && offset === 0) return '';
  return ` LIMIT ${offset}, ${limit ?? NO_LIMIT}`;
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
