// A session's rows for the waterfall and the tail: the snapshot's timeline columns, then live
// events appended as they arrive; spans in progress (span-start events) replaced by their end.
import { isoMicros } from './format.js';
import type { DebbieEvent, TimelineData } from './types.js';

const SPAN_START_TAG = 'debbie.span_start';
const LOOP_PATTERNS = new Set(['tool_loop', 'retry_storm', 'nudge_pattern']);

export class SessionModel {
  t0us: number;
  start: number[] = [];
  /** ms; -1 for a point event; NaN for a span in progress. */
  dur: number[] = [];
  source: string[] = [];
  err: boolean[] = [];
  label: string[] = [];
  id: string[] = [];
  parent: number[] = [];
  depth: number[] = [];
  children: number[][] = [];
  roots: number[] = [];
  /** Full events known in memory (live ones, pending ones, comments) by row. */
  full = new Map<number, DebbieEvent>();
  /** Wall-clock ms when a pending row's start arrived. */
  pendingSince = new Map<number, number>();
  loopRows = new Set<number>();
  commentRows: number[] = [];
  maxEnd = 1;
  /** Rows in arrival order of live events (for the tail's "new" count). */
  liveAdded = 0;
  private byId = new Map<string, number>();
  private pendingBySpan = new Map<string, number>();
  total: number;
  dropped: number;

  constructor(c: TimelineData) {
    this.t0us = c.t0_us;
    this.total = c.total;
    this.dropped = c.dropped;
    const n = c.count;
    for (let i = 0; i < n; i++) {
      const src = c.sources[c.src[i]!]!;
      this.push(c.start[i]!, c.dur[i]!, src, /ERROR|CRITICAL/.test(c.levels[c.lvl[i]!]!), labelOf(src, c.actions[c.act[i]!]!, c.summaries[c.sum[i]!]!), c.id[i]!, -1);
    }
    // link afterwards: a parent may start after its child (clock skew between services)
    this.roots = [];
    for (let i = 0; i < n; i++) {
      const p = c.parent[i]!;
      this.parent[i] = p;
      this.depth[i] = Math.max(0, c.depth[i]!);
      if (p >= 0 && p < n) this.children[p]!.push(i);
      else this.roots.push(i);
    }
  }

  get length(): number {
    return this.id.length;
  }

  isPending(i: number): boolean {
    return Number.isNaN(this.dur[i]!);
  }

  /** Epoch µs of a row's start. */
  startUs(i: number): number {
    return this.t0us + Math.round(this.start[i]! * 1000);
  }

  /** Running time of a span in progress (wall clock since its start arrived). */
  runningMs(i: number, now = Date.now()): number {
    const since = this.pendingSince.get(i);
    return since === undefined ? 0 : Math.max(0, now - since);
  }

  rowOf(eventId: string): number | undefined {
    return this.byId.get(eventId);
  }

  /** Adds comments (full events) and marks the steps of loops they point at. */
  noteComment(e: DebbieEvent, row: number): void {
    this.full.set(row, e);
    if (!this.commentRows.includes(row)) this.commentRows.push(row);
    const pattern = typeof e.details.pattern === 'string' ? e.details.pattern : '';
    const evidence = e.details.evidence as { event_ids?: unknown } | undefined;
    if (LOOP_PATTERNS.has(pattern) && Array.isArray(evidence?.event_ids)) {
      for (const id of evidence.event_ids) {
        const r = typeof id === 'string' ? this.byId.get(id) : undefined;
        if (r !== undefined) this.loopRows.add(r);
      }
    }
  }

  /** Adds a live event (or replaces a span in progress by its end). Returns its row. */
  add(e: DebbieEvent, now = Date.now()): number {
    if (this.t0us === 0 && this.length === 0) this.t0us = isoMicros(e.timestamp);
    const start = (isoMicros(e.timestamp) - this.t0us) / 1000;
    const isStart = e.tags.includes(SPAN_START_TAG);
    const src = e.source;
    const label = labelOf(src, e.action, e.event_summary);
    const err = e.level === 'ERROR' || e.level === 'CRITICAL';
    if (!isStart && e.span_id && this.pendingBySpan.has(e.span_id)) {
      // the span ended: its row becomes the finished span
      const r = this.pendingBySpan.get(e.span_id)!;
      this.pendingBySpan.delete(e.span_id);
      this.pendingSince.delete(r);
      this.byId.delete(this.id[r]!);
      this.id[r] = e.event_id;
      this.byId.set(e.event_id, r);
      this.dur[r] = e.duration_ms ?? -1;
      this.err[r] = err;
      this.label[r] = label;
      this.full.set(r, e);
      this.maxEnd = Math.max(this.maxEnd, start + Math.max(0, e.duration_ms ?? 0));
      return r;
    }
    if (this.byId.has(e.event_id)) return this.byId.get(e.event_id)!; // already in the snapshot
    let parent = -1;
    if (e.parent_id) parent = this.byId.get(e.parent_id) ?? this.pendingBySpan.get(e.parent_id) ?? -1;
    if (parent === -1 && e.parent_span_id) parent = this.byId.get(e.parent_span_id) ?? this.pendingBySpan.get(e.parent_span_id) ?? -1;
    const r = this.push(start, isStart ? Number.NaN : (e.duration_ms ?? -1), src, err, label, e.event_id, parent);
    this.full.set(r, e);
    this.liveAdded += 1;
    if (isStart && e.span_id) {
      this.pendingBySpan.set(e.span_id, r);
      this.pendingSince.set(r, now);
    }
    if (src === 'debbie_comment' || src === 'debbie') this.noteComment(e, r);
    return r;
  }

  private push(start: number, dur: number, src: string, err: boolean, label: string, id: string, parent: number): number {
    const i = this.id.length;
    this.start.push(start);
    this.dur.push(dur);
    this.source.push(src);
    this.err.push(err);
    this.label.push(label);
    this.id.push(id);
    this.parent.push(parent);
    this.depth.push(parent >= 0 ? this.depth[parent]! + 1 : 0);
    this.children.push([]);
    if (parent >= 0) this.children[parent]!.push(i);
    else this.roots.push(i);
    this.byId.set(id, i);
    const end = start + (dur > 0 ? dur : 0);
    if (end > this.maxEnd) this.maxEnd = end;
    if (src === 'debbie_comment') this.commentRows.push(i);
    return i;
  }
}

function labelOf(source: string, action: string, summary: string): string {
  return summary || `${source} ${action}`;
}
