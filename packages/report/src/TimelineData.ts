import { DEFAULT_STALL_MS, isStall, type DebbieEvent } from '@debbie/model';
import { timestampMicros } from './fastTime.js';

/**
 * A session's events as compact columns for the HTML timeline: one array per field, strings
 * that repeat (sources, levels, agents, components, actions, correlation ids) as dictionary indexes.
 * Rows are sorted by start time (ties: parents first).
 */
export interface TimelineData {
  v: 1;
  session_id: string;
  /** Epoch microseconds of the first event; `start` is relative to it. */
  t0_us: number;
  /** ISO timestamp of the first event. */
  t0: string;
  /** Rows embedded. */
  count: number;
  /** Events offered, including those over the limit. */
  total: number;
  /** Events left out because of `maxEvents` (the latest ones) or an unparseable timestamp. */
  dropped: number;
  gap_threshold_ms: number;
  sources: string[];
  levels: string[];
  agents: string[];
  components: string[];
  actions: string[];
  correlations: string[];
  /** ms since t0. */
  start: number[];
  /** ms; -1 for a point event. */
  dur: number[];
  src: number[];
  lvl: number[];
  /** Index into agents, -1 for none. */
  agent: number[];
  comp: number[];
  act: number[];
  /** Index into correlations, -1 for none. */
  corr: number[];
  /** Error causes (details.error_cause: rate_limit, timeout, server_error, …), labelled on error bars. */
  causes: string[];
  /** Index into causes, -1 for none. */
  cause: number[];
  /** Row index of the parent event, -1 for a root or an unknown parent. */
  parent: number[];
  depth: number[];
  id: string[];
  /** Distinct summaries; `sum` indexes them (summaries repeat a lot in agent sessions). */
  summaries: string[];
  sum: number[];
  /** Distinct "rest of the event" JSON texts (details, metrics, ids, stack, tags; capped); `ext` indexes them. */
  extras: string[];
  ext: number[];
  /** Silences of at least gap_threshold_ms: [start ms, duration ms, row before, row after]. */
  gaps: [number, number, number, number][];
}

export interface TimelineOptions {
  /** Most events embedded (default 200,000); later ones are counted in `dropped`. */
  maxEvents?: number;
  /** Silence that shows as a stall (default 30,000 ms, the seed's threshold). */
  gapThresholdMs?: number;
  /** Cap on each event's extra JSON (default 2,000 characters). */
  maxExtraChars?: number;
  /** Cap on each summary (default 300 characters). */
  maxSummaryChars?: number;
}

class Dict {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(v: string): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
}

/** Sources that speak about the session rather than act in it: not activity for stall detection. */
const OBSERVERS = new Set(['debbie', 'debbie_comment']);

/** Collects events one by one (bounded by maxEvents) and builds the timeline columns. */
export class TimelineDataBuilder {
  private readonly max: number;
  private readonly gapMs: number;
  private readonly maxExtra: number;
  private readonly maxSummary: number;
  private total = 0;
  private skipped = 0;
  private readonly startUs: number[] = [];
  private readonly dur: number[] = [];
  private readonly src: number[] = [];
  private readonly lvl: number[] = [];
  private readonly agent: number[] = [];
  private readonly comp: number[] = [];
  private readonly act: number[] = [];
  private readonly corr: number[] = [];
  private readonly cause: number[] = [];
  private readonly id: string[] = [];
  private readonly sum: number[] = [];
  private readonly ext: number[] = [];
  private readonly parentRef: (string | null)[] = [];
  private readonly parentSpanRef: (string | null)[] = [];
  private readonly byId = new Map<string, number>();
  private readonly bySpan = new Map<string, number>();
  private readonly d = {
    sources: new Dict(),
    levels: new Dict(),
    agents: new Dict(),
    components: new Dict(),
    actions: new Dict(),
    corrs: new Dict(),
    causes: new Dict(),
    summaries: new Dict(),
    extras: new Dict(),
  };
  private sessionId = '';

  constructor(options: TimelineOptions = {}) {
    this.max = options.maxEvents ?? 200_000;
    this.gapMs = options.gapThresholdMs ?? DEFAULT_STALL_MS;
    this.maxExtra = options.maxExtraChars ?? 2_000;
    this.maxSummary = options.maxSummaryChars ?? 300;
  }

  /** True once maxEvents rows are held: further events are only counted. */
  get full(): boolean {
    return this.id.length >= this.max;
  }

  add(e: DebbieEvent): void {
    this.total += 1;
    if (this.id.length >= this.max) return;
    const us = timestampMicros(e.timestamp);
    if (Number.isNaN(us)) {
      this.skipped += 1;
      return;
    }
    if (!this.sessionId && e.session_id) this.sessionId = e.session_id;
    const i = this.id.length;
    this.startUs.push(us);
    this.dur.push(typeof e.duration_ms === 'number' && e.duration_ms >= 0 ? e.duration_ms : -1);
    this.src.push(this.d.sources.of(e.source));
    this.lvl.push(this.d.levels.of(e.level));
    this.agent.push(e.agent_id === null ? -1 : this.d.agents.of(e.agent_id));
    this.comp.push(this.d.components.of(e.component));
    this.act.push(this.d.actions.of(e.action));
    this.corr.push(e.correlation_id === null ? -1 : this.d.corrs.of(e.correlation_id));
    const cause = e.details.error_cause;
    this.cause.push(typeof cause === 'string' && cause !== '' ? this.d.causes.of(cause) : -1);
    this.id.push(e.event_id);
    this.sum.push(this.d.summaries.of(e.event_summary.length > this.maxSummary ? `${e.event_summary.slice(0, this.maxSummary)}…` : e.event_summary));
    this.ext.push(this.d.extras.of(extraJson(e, this.maxExtra)));
    this.parentRef.push(e.parent_id);
    this.parentSpanRef.push(e.parent_span_id);
    this.byId.set(e.event_id, i);
    if (e.span_id) this.bySpan.set(e.span_id, i);
  }

  build(sessionId?: string): TimelineData {
    const n = this.id.length;
    // parents: by parent_id (an event id), else by parent_span_id
    const parent = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const p = this.parentRef[i] ?? null;
      const ps = this.parentSpanRef[i] ?? null;
      let j = p !== null ? (this.byId.get(p) ?? this.bySpan.get(p)) : undefined;
      if (j === undefined && ps !== null) j = this.bySpan.get(ps);
      parent[i] = j === undefined || j === i ? -1 : j;
    }
    const depth = new Array<number>(n).fill(-1);
    for (let i = 0; i < n; i++) {
      // walk up to a known depth (at most 64 steps, so a cycle cannot hang us)
      const chain: number[] = [];
      let k = i;
      while (k !== -1 && depth[k] === -1 && chain.length < 64) {
        chain.push(k);
        k = parent[k]!;
      }
      let base = k === -1 || depth[k] === -1 ? -1 : depth[k]!;
      for (let c = chain.length - 1; c >= 0; c--) depth[chain[c]!] = ++base;
    }
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => this.startUs[a]! - this.startUs[b]! || depth[a]! - depth[b]! || a - b);
    const rank = new Array<number>(n);
    order.forEach((old, neu) => {
      rank[old] = neu;
    });
    const t0 = n ? this.startUs[order[0]!]! : 0;
    const pick = <T>(col: T[]) => order.map((i) => col[i]!);
    const start = order.map((i) => Math.round(this.startUs[i]! - t0) / 1000);
    const dur = pick(this.dur);
    const src = pick(this.src);
    const gaps: [number, number, number, number][] = [];
    let maxEnd = Number.NEGATIVE_INFINITY;
    let maxEndRow = -1;
    const observer = this.d.sources.values.map((s) => OBSERVERS.has(s));
    for (let r = 0; r < n; r++) {
      if (observer[src[r]!]) continue;
      const s = start[r]!;
      if (maxEndRow >= 0 && isStall(s - maxEnd, this.gapMs)) gaps.push([maxEnd, s - maxEnd, maxEndRow, r]);
      const end = s + Math.max(0, dur[r]!);
      if (end > maxEnd) {
        maxEnd = end;
        maxEndRow = r;
      }
    }
    return {
      v: 1,
      session_id: sessionId ?? this.sessionId,
      t0_us: t0,
      t0: n ? new Date(Math.floor(t0 / 1000)).toISOString() : '',
      count: n,
      total: this.total,
      dropped: this.total - n,
      gap_threshold_ms: this.gapMs,
      sources: this.d.sources.values,
      levels: this.d.levels.values,
      agents: this.d.agents.values,
      components: this.d.components.values,
      actions: this.d.actions.values,
      correlations: this.d.corrs.values,
      causes: this.d.causes.values,
      start,
      dur,
      src,
      lvl: pick(this.lvl),
      agent: pick(this.agent),
      comp: pick(this.comp),
      act: pick(this.act),
      corr: pick(this.corr),
      cause: pick(this.cause),
      parent: order.map((i) => (parent[i]! === -1 ? -1 : rank[parent[i]!]!)),
      depth: pick(depth),
      id: pick(this.id),
      summaries: this.d.summaries.values,
      sum: pick(this.sum),
      extras: this.d.extras.values,
      ext: pick(this.ext),
      gaps,
    };
  }
}

/** The fields the columns do not carry, as capped JSON (shown in the details pane). */
function extraJson(e: DebbieEvent, max: number): string {
  // timestamp, kind, correlation and parent are in the columns already
  const rest: Record<string, unknown> = {};
  if (Object.keys(e.details).length) rest.details = e.details;
  if (e.performance_metrics) rest.performance_metrics = e.performance_metrics;
  if (e.tags.length) rest.tags = e.tags;
  if (e.trace_id) rest.trace_id = e.trace_id;
  if (e.span_id) rest.span_id = e.span_id;
  if (e.service_name) rest.service_name = e.service_name;
  if (e.stack_trace) rest.stack_trace = e.stack_trace;
  if (e.context_snapshot) rest.context_snapshot = e.context_snapshot;
  if (e.state_before != null) rest.state_before = e.state_before;
  if (e.state_after != null) rest.state_after = e.state_after;
  const json = JSON.stringify(rest);
  return json.length > max ? `${json.slice(0, max)}… (truncated)` : json;
}

/** Builds timeline columns from an array or iterable of events. */
export function buildTimelineData(events: Iterable<DebbieEvent>, options: TimelineOptions & { sessionId?: string } = {}): TimelineData {
  const b = new TimelineDataBuilder(options);
  for (const e of events) b.add(e);
  return b.build(options.sessionId);
}
