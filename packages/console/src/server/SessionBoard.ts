import { isSpanStart, type DebbieEvent, type EventSink, type SessionSummary } from '@debbie/model';
import type { LatestComment, SessionRow, SessionStatus } from '../client/types.js';

export type { LatestComment, SessionRow, SessionStatus } from '../client/types.js';
export const SESSION_STATUSES: readonly SessionStatus[] = ['running', 'stalled', 'looping', 'erroring', 'finished'];

/** A span that has started and not ended (from a span-start event). */
export interface PendingSpan {
  event: DebbieEvent;
  /** Wall-clock ms when the start arrived. */
  seen_ms: number;
}

/** Per-session facts the store's summary lacks: models, tokens, comments, and live state. */
interface Entry {
  id: string;
  models: Set<string>;
  inTokens: number;
  outTokens: number;
  comment: LatestComment | null;
  /** Patterns Debbie reported open and not yet resolved. */
  openPatterns: Set<string>;
  // live part (only for sessions seen through write())
  live: boolean;
  firstTs: string;
  lastTs: string;
  lastArrival: number;
  lastErrorArrival: number;
  events: number;
  errors: number;
  agents: Set<string>;
  sources: Set<string>;
  ended: boolean;
  pending: Map<string, PendingSpan>;
}

export interface SessionBoardOptions {
  /** Silence (wall clock) after which a live session shows as stalled. Default 30 s (the commentary's stall_seconds). */
  stallMs?: number;
  /** Sessions tracked at once (default 200,000); the least recently active are forgotten and counted. */
  maxSessions?: number;
  /** Pending spans tracked per session (default 1,000); more are counted in `stats().pending_dropped`. */
  maxPendingPerSession?: number;
  /** Wall clock (tests). */
  now?: () => number;
}

const LOOP_PATTERNS = new Set(['tool_loop', 'retry_storm', 'nudge_pattern']);
const STALL_PATTERNS = new Set(['continuation_stall', 'ignored_request', 'request_timeout']);
const END_ACTIONS = new Set(['session_stopped', 'session_end', 'session_ended', 'session_closed']);

/**
 * The console's knowledge of sessions beyond the store's summaries: the models, tokens and latest
 * comment of each (indexed once from the store, then kept current from the live events), and for
 * sessions seen live: last arrival, spans in progress, open patterns — what the status comes from.
 * It is an EventSink on the collector's pipeline (span-start events included). Bounded: at most
 * `maxSessions` entries, the least recently active forgotten first (counted).
 */
export class SessionBoard implements EventSink {
  readonly acceptsSpanStarts = true;
  private readonly entries = new Map<string, Entry>();
  /** Which session each span in progress was reported under (its end may name another: a span that learns its session late). */
  private readonly pendingSession = new Map<string, string>();
  private readonly stallMs: number;
  private readonly maxSessions: number;
  private readonly maxPending: number;
  private readonly now: () => number;
  private forgotten = 0;
  private pendingDropped = 0;
  private written = 0;
  /** Bumped on every write: lets readers cache what they derived from the board. */
  version = 0;

  constructor(options: SessionBoardOptions = {}) {
    this.stallMs = options.stallMs ?? 30_000;
    this.maxSessions = options.maxSessions ?? 200_000;
    this.maxPending = options.maxPendingPerSession ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  get stallThresholdMs(): number {
    return this.stallMs;
  }

  write(event: DebbieEvent): void {
    const id = event.session_id;
    if (!id) return;
    this.written += 1;
    this.version += 1;
    const e = this.entry(id);
    const now = this.now();
    // Map order is recency order: re-insert on activity
    this.entries.delete(id);
    this.entries.set(id, e);
    if (!e.live) {
      e.live = true;
      e.firstTs = event.timestamp;
    }
    if (isSpanStart(event)) {
      if (event.span_id && !e.pending.has(event.span_id)) {
        if (e.pending.size >= this.maxPending || this.pendingSession.size >= this.maxSessions) this.pendingDropped += 1;
        else {
          e.pending.set(event.span_id, { event, seen_ms: now });
          this.pendingSession.set(event.span_id, id);
        }
      }
      e.lastArrival = now;
      if (event.timestamp > e.lastTs) e.lastTs = event.timestamp;
      return;
    }
    if (event.span_id) this.endPending(event.span_id, id);
    this.index(e, event);
    e.events += 1;
    if (event.timestamp < e.firstTs) e.firstTs = event.timestamp;
    const end = event.duration_ms ? endTimestamp(event) : event.timestamp;
    if (end > e.lastTs) e.lastTs = end;
    if (event.agent_id) e.agents.add(event.agent_id);
    e.sources.add(event.source);
    const observer = event.source === 'debbie' || event.source === 'debbie_comment';
    if (!observer) e.lastArrival = now;
    if (event.level === 'ERROR' || event.level === 'CRITICAL') {
      e.errors += 1;
      e.lastErrorArrival = now;
    }
    if (event.source === 'session' && END_ACTIONS.has(event.action)) e.ended = true;
    if (this.entries.size > this.maxSessions) this.forgetOldest();
  }

  /** Indexes a stored event (models, tokens, comments) without touching the live state. */
  indexStored(event: DebbieEvent): void {
    if (!event.session_id) return;
    this.index(this.entry(event.session_id), event);
  }

  /** The console's row for a stored session summary (plus live facts when the board saw it). */
  row(summary: SessionSummary): SessionRow {
    const e = this.entries.get(summary.session_id);
    const sources = Object.keys(summary.events_per_source);
    if (!e) {
      return {
        session_id: summary.session_id,
        status: 'finished',
        first_timestamp: summary.first_timestamp,
        last_timestamp: summary.last_timestamp,
        duration_ms: summary.duration_ms,
        event_count: summary.event_count,
        error_count: summary.error_count,
        sources,
        agents: summary.agents,
        models: [],
        input_tokens: 0,
        output_tokens: 0,
        latest_comment: null,
        pending: 0,
        silent_ms: null,
      };
    }
    const row = this.liveRow(e);
    if (!e.live) {
      row.status = 'finished';
      row.silent_ms = null;
    }
    // the store is the record of what happened; the board adds what the store does not know
    row.first_timestamp = e.live && e.firstTs < summary.first_timestamp ? e.firstTs : summary.first_timestamp;
    row.last_timestamp = e.live && e.lastTs > summary.last_timestamp ? e.lastTs : summary.last_timestamp;
    row.duration_ms = Math.max(summary.duration_ms, spanMs(row.first_timestamp, row.last_timestamp));
    row.event_count = Math.max(summary.event_count, e.live ? e.events : 0);
    row.error_count = Math.max(summary.error_count, e.live ? e.errors : 0);
    row.agents = [...new Set([...summary.agents, ...e.agents])];
    row.sources = [...new Set([...sources, ...e.sources])];
    return row;
  }

  /** Rows of live sessions the store does not list yet (written, not flushed). */
  liveRowsNotIn(known: ReadonlySet<string>): SessionRow[] {
    const rows: SessionRow[] = [];
    for (const e of this.entries.values()) if (e.live && !known.has(e.id)) rows.push(this.liveRow(e));
    return rows;
  }

  /** The live status of a session the board saw live; null for one it only knows from the store. */
  status(sessionId: string): SessionStatus | null {
    const e = this.entries.get(sessionId);
    return e?.live ? this.statusOf(e, this.now()) : null;
  }

  /** Spans of a session that started and have not ended. */
  pending(sessionId: string): PendingSpan[] {
    return [...(this.entries.get(sessionId)?.pending.values() ?? [])];
  }

  stats(): { sessions: number; forgotten: number; pending_dropped: number; written: number } {
    return { sessions: this.entries.size, forgotten: this.forgotten, pending_dropped: this.pendingDropped, written: this.written };
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}

  private liveRow(e: Entry): SessionRow {
    const now = this.now();
    const silent = now - e.lastArrival;
    return {
      session_id: e.id,
      status: this.statusOf(e, now),
      first_timestamp: e.firstTs,
      last_timestamp: e.lastTs,
      duration_ms: spanMs(e.firstTs, e.lastTs),
      event_count: e.events,
      error_count: e.errors,
      sources: [...e.sources],
      agents: [...e.agents],
      models: [...e.models],
      input_tokens: e.inTokens,
      output_tokens: e.outTokens,
      latest_comment: e.comment,
      pending: e.pending.size,
      silent_ms: e.live ? silent : null,
    };
  }

  private statusOf(e: Entry, now: number): SessionStatus {
    if (e.ended && e.pending.size === 0) return 'finished';
    if (now - e.lastArrival >= this.stallMs) return 'stalled';
    for (const p of e.openPatterns) if (STALL_PATTERNS.has(p)) return 'stalled';
    for (const p of e.openPatterns) if (LOOP_PATTERNS.has(p)) return 'looping';
    if (e.errors > 0 && now - e.lastErrorArrival < this.stallMs) return 'erroring';
    return 'running';
  }

  private forgetOldest(): void {
    const oldest = this.entries.keys().next().value as string;
    for (const spanId of this.entries.get(oldest)!.pending.keys()) this.pendingSession.delete(spanId);
    this.entries.delete(oldest);
    this.forgotten += 1;
  }

  /** A span ended: it is no longer in progress, under whichever session its start named. */
  private endPending(spanId: string, sessionId: string): void {
    const was = this.pendingSession.get(spanId);
    if (was === undefined) return;
    this.pendingSession.delete(spanId);
    const e = this.entries.get(was);
    if (!e) return;
    e.pending.delete(spanId);
    // a session known only from that start (its span ended under another session) was never one
    if (was !== sessionId && e.events === 0 && e.pending.size === 0) this.entries.delete(was);
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = {
        id,
        models: new Set(),
        inTokens: 0,
        outTokens: 0,
        comment: null,
        openPatterns: new Set(),
        live: false,
        firstTs: '',
        lastTs: '',
        lastArrival: 0,
        lastErrorArrival: 0,
        events: 0,
        errors: 0,
        agents: new Set(),
        sources: new Set(),
        ended: false,
        pending: new Map(),
      };
      this.entries.set(id, e);
      if (this.entries.size > this.maxSessions) this.forgetOldest();
    }
    return e;
  }

  private index(e: Entry, event: DebbieEvent): void {
    if (event.source === 'ai_service' && event.kind === 'span') {
      const model = typeof event.details.model === 'string' ? event.details.model : null;
      if (model && e.models.size < 32) e.models.add(model);
      const m = event.performance_metrics;
      if (m) {
        e.inTokens += m.input_tokens ?? 0;
        e.outTokens += m.output_tokens ?? 0;
      }
    } else if (event.source === 'debbie_comment') {
      const d = event.details;
      const pattern = typeof d.pattern === 'string' ? d.pattern : null;
      const status = typeof d.status === 'string' ? d.status : null;
      if (!e.comment || event.timestamp >= e.comment.timestamp) e.comment = { timestamp: event.timestamp, summary: event.event_summary, pattern, status };
      if (pattern) {
        if (status === 'open') e.openPatterns.add(pattern);
        else if (status === 'resolved' || status === 'closed') e.openPatterns.delete(pattern);
      }
    }
  }
}

function spanMs(first: string, last: string): number {
  const a = Date.parse(first);
  const b = Date.parse(last);
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(0, b - a) : 0;
}

function endTimestamp(event: DebbieEvent): string {
  const start = Date.parse(event.timestamp);
  // the store's form: microseconds, so string order is time order
  return Number.isFinite(start) ? new Date(start + (event.duration_ms ?? 0)).toISOString().replace('Z', '000Z') : event.timestamp;
}
