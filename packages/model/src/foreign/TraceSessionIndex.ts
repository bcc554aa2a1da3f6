/** A trace that got its session only later: events stored under `from` (the trace id) move to `to`. */
export interface SessionRelabel {
  traceId: string;
  from: string;
  to: string;
}

export interface TraceSessionIndexOptions {
  /** Traces remembered (least recently seen forgotten first). Default 50,000 (~10 MB). */
  maxTraces?: number;
  /** Called when a trace first seen without a session turns out to name one. */
  onRelabel?: (relabel: SessionRelabel) => void;
}

interface Entry {
  session: string;
  inferred: boolean;
  /** The index's clock when the entry last became the most recent: its place in the Map's order. */
  stamp: number;
}

/**
 * Trace id → session, so a span or log record that names no session takes the one its trace
 * names. Spans end (and are exported) children first, so the span naming the session often comes
 * last: until then the trace is its own session (inferred), and naming it reports a relabel.
 * Bounded: the least recently seen trace is forgotten first, counted in `evicted`. "Recently" is
 * kept coarsely: moving a Map entry to the end costs a delete and an insert (and tombstones the
 * Map must rehash away), paid twice per span on the OTLP hot path, so an entry is moved only when
 * more than a quarter of maxTraces entries were added or moved since it last was. A trace seen
 * within the last three quarters of maxTraces insertions is therefore never forgotten.
 */
export class TraceSessionIndex {
  private readonly traces = new Map<string, Entry>();
  private readonly maxTraces: number;
  private readonly refreshAfter: number;
  private readonly onRelabel: ((relabel: SessionRelabel) => void) | undefined;
  private clock = 0;
  /** Traces forgotten to stay within maxTraces. */
  evicted = 0;
  /** Relabels reported. */
  relabels = 0;

  constructor(options: TraceSessionIndexOptions = {}) {
    this.maxTraces = Math.max(1, options.maxTraces ?? 50_000);
    this.refreshAfter = Math.floor(this.maxTraces / 4);
    this.onRelabel = options.onRelabel;
  }

  get size(): number {
    return this.traces.size;
  }

  /** The session of a trace, or, for a trace not seen with one, the trace itself (inferred). */
  sessionFor(traceId: string): { readonly session: string; readonly inferred: boolean } {
    const entry = this.touch(traceId);
    if (entry) return entry;
    const inferred = { session: traceId, inferred: true, stamp: 0 };
    this.add(traceId, inferred);
    return inferred;
  }

  /** A span or record of the trace names its session. The first name a trace gets is kept. */
  named(traceId: string, session: string): void {
    const entry = this.touch(traceId);
    if (!entry) {
      this.add(traceId, { session, inferred: false, stamp: 0 });
      return;
    }
    if (!entry.inferred) return;
    const from = entry.session;
    entry.session = session;
    entry.inferred = false;
    if (from !== session) {
      this.relabels += 1;
      this.onRelabel?.({ traceId, from, to: session });
    }
  }

  /** The trace's entry, made the most recent unless it is among the recent ones already. */
  private touch(traceId: string): Entry | undefined {
    const entry = this.traces.get(traceId);
    if (entry && this.clock - entry.stamp > this.refreshAfter) {
      this.traces.delete(traceId);
      entry.stamp = ++this.clock;
      this.traces.set(traceId, entry);
    }
    return entry;
  }

  /** A trace not in the index: added as the most recent; the least recent goes when over maxTraces. */
  private add(traceId: string, entry: Entry): void {
    entry.stamp = ++this.clock;
    this.traces.set(traceId, entry);
    if (this.traces.size > this.maxTraces) {
      const oldest = this.traces.keys().next().value as string;
      this.traces.delete(oldest);
      this.evicted += 1;
    }
  }
}
