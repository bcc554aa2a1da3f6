import type { EventReader, SessionSummary } from '@debbie/model';
import type { SessionPage, SessionRow, SessionStatus } from '../client/types.js';
import { SESSION_STATUSES, type SessionBoard } from './SessionBoard.js';

export type { SessionPage } from '../client/types.js';

export interface SessionQuery {
  offset: number;
  limit: number;
  status?: SessionStatus[];
  source?: string;
  agent?: string;
  model?: string;
  /** Case-insensitive: session id, agents, models, latest comment, and any event's text. */
  text?: string;
  /** ISO bounds on the session's activity. */
  since?: string;
  until?: string;
}

export interface SessionCatalogOptions {
  reader: EventReader;
  board: SessionBoard;
  /** Run before reading the store (the store's forceFlush). */
  beforeRead?: () => Promise<void>;
  /** How long a listSessions result is reused (default 1,000 ms). */
  cacheMs?: number;
  /** Events a text search scans at most (default 1,000,000). */
  maxSearchEvents?: number;
}

/** How long the session list is reused while no event arrived (ms). */
const UNCHANGED_CACHE_MS = 10_000;

/**
 * The sessions list over an EventReader (DuckDB or ClickHouse store, or a collector's query API):
 * the store's summaries, enriched by the SessionBoard (models, tokens, comments, live status),
 * filtered, newest first, in pages. The store's ai_service and comment events are indexed into
 * the board once, on first use; the board keeps them current from then on.
 */
export class SessionCatalog {
  private readonly reader: EventReader;
  private readonly board: SessionBoard;
  private readonly beforeRead: (() => Promise<void>) | undefined;
  private readonly cacheMs: number;
  private readonly maxSearchEvents: number;
  private cached: { at: number; version: number; sessions: SessionSummary[] } | undefined;
  private loading: Promise<SessionSummary[]> | undefined;
  private indexed: Promise<void> | undefined;
  private indexDone = false;

  constructor(options: SessionCatalogOptions) {
    this.reader = options.reader;
    this.board = options.board;
    this.beforeRead = options.beforeRead;
    this.cacheMs = options.cacheMs ?? 1_000;
    this.maxSearchEvents = options.maxSearchEvents ?? 1_000_000;
  }

  async page(q: SessionQuery): Promise<SessionPage> {
    // models, tokens and comments of stored sessions come from a one-time scan: a model filter
    // waits for it; a plain listing answers at once and says the figures are still filling in
    const indexing = this.indexOnce();
    if (q.model) await indexing;
    const summaries = await this.summaries();
    const partial = !this.indexDone;
    const known = new Set<string>();
    const rows: SessionRow[] = [];
    for (const s of summaries) {
      known.add(s.session_id);
      rows.push(this.board.row(s));
    }
    rows.push(...this.board.liveRowsNotIn(known));
    const text = q.text?.trim().toLowerCase();
    const textHits = text ? await this.sessionsWithText(text) : undefined;
    const byStatus = Object.fromEntries(SESSION_STATUSES.map((s) => [s, 0])) as Record<SessionStatus, number>;
    const kept: SessionRow[] = [];
    for (const r of rows) {
      if (q.source && !r.sources.includes(q.source)) continue;
      if (q.agent && !r.agents.some((a) => a.toLowerCase().includes(q.agent!.toLowerCase()))) continue;
      if (q.model && !r.models.some((m) => m.toLowerCase().includes(q.model!.toLowerCase()))) continue;
      if (q.since && r.last_timestamp < q.since) continue;
      if (q.until && r.first_timestamp >= q.until) continue;
      if (text && !matchesRow(r, text) && !textHits!.ids.has(r.session_id)) continue;
      byStatus[r.status] += 1;
      if (q.status?.length && !q.status.includes(r.status)) continue;
      kept.push(r);
    }
    kept.sort((a, b) => (a.last_timestamp < b.last_timestamp ? 1 : a.last_timestamp > b.last_timestamp ? -1 : a.session_id < b.session_id ? -1 : 1));
    return {
      total: kept.length,
      offset: q.offset,
      sessions: kept.slice(q.offset, q.offset + q.limit),
      by_status: byStatus,
      search_truncated: textHits?.truncated ?? false,
      indexing: partial,
    };
  }

  /** Drops the cached summaries (after a write the caller knows of). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async summaries(): Promise<SessionSummary[]> {
    const now = Date.now();
    const c = this.cached;
    // nothing new reached the board (the collector's store changes only through it): keep the list
    // longer; other writers to a shared store (ClickHouse) show within UNCHANGED_CACHE_MS
    if (c && (now - c.at < this.cacheMs || (c.version === this.board.version && now - c.at < UNCHANGED_CACHE_MS))) return c.sessions;
    this.loading ??= (async () => {
      try {
        const version = this.board.version;
        await this.beforeRead?.();
        const sessions = await this.reader.listSessions();
        this.cached = { at: Date.now(), version, sessions };
        return sessions;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private indexOnce(): Promise<void> {
    this.indexed ??= (async () => {
      await this.beforeRead?.();
      for await (const page of this.reader.streamEvents({ sources: ['ai_service', 'debbie_comment'] }, { batchSize: 5_000 })) {
        for (const e of page) this.board.indexStored(e);
      }
      this.indexDone = true;
    })().catch(() => {
      this.indexed = undefined; // try again next time
    });
    return this.indexed;
  }

  private async sessionsWithText(text: string): Promise<{ ids: Set<string>; truncated: boolean }> {
    const ids = new Set<string>();
    let seen = 0;
    for await (const page of this.reader.streamEvents({ text }, { batchSize: 5_000 })) {
      for (const e of page) if (e.session_id) ids.add(e.session_id);
      seen += page.length;
      if (seen >= this.maxSearchEvents) return { ids, truncated: true };
    }
    return { ids, truncated: false };
  }
}

function matchesRow(r: SessionRow, text: string): boolean {
  return (
    r.session_id.toLowerCase().includes(text) ||
    r.agents.some((a) => a.toLowerCase().includes(text)) ||
    r.models.some((m) => m.toLowerCase().includes(text)) ||
    (r.latest_comment?.summary.toLowerCase().includes(text) ?? false)
  );
}
