// A session's rows for the waterfall and the tail: the stored steps as they stream in, then live
// events appended as they arrive; spans in progress (span-start events) replaced by their end.
import { isoMicros } from './format.js';
import type { DebbieEvent, StepRow } from './types.js';

const SPAN_START_TAG = 'debbie.span_start';
const LOOP_PATTERNS = new Set(['tool_loop', 'retry_storm', 'nudge_pattern']);

export class SessionModel {
  /** Epoch µs that `start` counts from (the first row's start). */
  t0us = 0;
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
  /** Full events known in memory (live ones, pending ones, comments) by row. */
  full = new Map<number, DebbieEvent>();
  /** Wall-clock ms when a pending row's start arrived. */
  pendingSince = new Map<number, number>();
  loopRows = new Set<number>();
  commentRows = new Set<number>();
  maxEnd = 1;
  /** Live events added (the tail's counter). */
  liveAdded = 0;
  private byId = new Map<string, number>();
  private bySpan = new Map<string, number>();
  private pendingBySpan = new Map<string, number>();
  /** Rows whose parent has not arrived yet, by the parent's id or span id. */
  private orphans = new Map<string, number[]>();

  get length(): number {
    return this.id.length;
  }

  /** Rows without a parent, in order. */
  roots(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.parent.length; i++) if (this.parent[i]! < 0) out.push(i);
    return out;
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

  /** Stored steps, as the server streams them. */
  addRows(rows: StepRow[]): void {
    for (const r of rows) {
      if (this.byId.has(r[5])) continue;
      this.push(r[0], r[1], r[2], r[3] === 'ERROR' || r[3] === 'CRITICAL', r[4], r[5], r[6], r[7], r[8]);
    }
  }

  /** A comment (whole event): pinned to its row; the steps of a loop it names are highlighted. */
  noteComment(e: DebbieEvent, row: number): void {
    this.full.set(row, e);
    this.commentRows.add(row);
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
    const us = isoMicros(e.timestamp);
    const isStart = e.tags.includes(SPAN_START_TAG);
    const err = e.level === 'ERROR' || e.level === 'CRITICAL';
    const label = e.event_summary || `${e.source} ${e.action}`;
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
      this.maxEnd = Math.max(this.maxEnd, this.start[r]! + Math.max(0, e.duration_ms ?? 0));
      return r;
    }
    const known = this.byId.get(e.event_id);
    if (known !== undefined) return known; // already streamed from the store
    const r = this.push(
      us,
      isStart ? Number.NaN : (e.duration_ms ?? -1),
      e.source,
      err,
      label,
      e.event_id,
      e.parent_id,
      e.parent_span_id,
      isStart ? null : e.span_id,
    );
    this.full.set(r, e);
    this.liveAdded += 1;
    if (isStart && e.span_id) {
      this.pendingBySpan.set(e.span_id, r);
      this.pendingSince.set(r, now);
    }
    if (e.source === 'debbie_comment' || e.source === 'debbie') this.noteComment(e, r);
    return r;
  }

  private push(
    us: number,
    dur: number,
    src: string,
    err: boolean,
    label: string,
    id: string,
    parentId: string | null,
    parentSpanId: string | null,
    spanId: string | null,
  ): number {
    if (this.length === 0) this.t0us = us;
    const i = this.id.length;
    const start = (us - this.t0us) / 1000;
    this.start.push(start);
    this.dur.push(dur);
    this.source.push(src);
    this.err.push(err);
    this.label.push(label);
    this.id.push(id);
    this.children.push([]);
    this.byId.set(id, i);
    // a log record carries the span it was emitted in as its span id: only spans name a span
    const isSpan = dur >= 0 || Number.isNaN(dur);
    if (spanId && isSpan) this.bySpan.set(spanId, i);
    let p = -1;
    if (parentId) p = this.byId.get(parentId) ?? this.bySpan.get(parentId) ?? this.pendingBySpan.get(parentId) ?? -1;
    if (p === -1 && parentSpanId) p = this.bySpan.get(parentSpanId) ?? this.byId.get(parentSpanId) ?? this.pendingBySpan.get(parentSpanId) ?? -1;
    if (p === i) p = -1;
    this.parent.push(p);
    this.depth.push(p >= 0 ? this.depth[p]! + 1 : 0);
    if (p >= 0) this.children[p]!.push(i);
    else {
      const key = parentId ?? parentSpanId;
      if (key) {
        const list = this.orphans.get(key);
        if (list) list.push(i);
        else this.orphans.set(key, [i]);
      }
    }
    // children that arrived before this row (a parent that starts after its child: clock skew)
    for (const key of isSpan ? [id, spanId] : [id]) {
      const waiting = key ? this.orphans.get(key) : undefined;
      if (!waiting) continue;
      this.orphans.delete(key!);
      for (const c of waiting) {
        if (c === i || this.isAncestor(c, i)) continue;
        this.parent[c] = i;
        this.children[i]!.push(c);
        this.setDepth(c, this.depth[i]! + 1);
      }
    }
    const end = start + Math.max(dur, 0);
    if (end > this.maxEnd) this.maxEnd = end;
    if (src === 'debbie_comment' || src === 'debbie') this.commentRows.add(i);
    return i;
  }

  private isAncestor(a: number, b: number): boolean {
    for (let k = b, n = 0; k >= 0 && n < 10_000; k = this.parent[k]!, n++) if (k === a) return true;
    return false;
  }

  private setDepth(i: number, d: number): void {
    const stack: [number, number][] = [[i, d]];
    while (stack.length) {
      const [k, dk] = stack.pop()!;
      this.depth[k] = dk;
      for (const c of this.children[k]!) stack.push([c, dk + 1]);
    }
  }
}
