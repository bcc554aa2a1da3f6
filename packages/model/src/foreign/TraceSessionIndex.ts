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
}

/**
 * Trace id → session, so a span or log record that names no session takes the one its trace
 * names. Spans end (and are exported) children first, so the span naming the session often comes
 * last: until then the trace is its own session (inferred), and naming it reports a relabel.
 * Bounded: the least recently seen trace is forgotten first, counted in `evicted`.
 */
export class TraceSessionIndex {
  private readonly traces = new Map<string, Entry>();
  private readonly maxTraces: number;
  private readonly onRelabel: ((relabel: SessionRelabel) => void) | undefined;
  /** Traces forgotten to stay within maxTraces. */
  evicted = 0;
  /** Relabels reported. */
  relabels = 0;

  constructor(options: TraceSessionIndexOptions = {}) {
    this.maxTraces = Math.max(1, options.maxTraces ?? 50_000);
    this.onRelabel = options.onRelabel;
  }

  get size(): number {
    return this.traces.size;
  }

  /** The session of a trace, or, for a trace not seen with one, the trace itself (inferred). */
  sessionFor(traceId: string): Entry {
    const entry = this.touch(traceId);
    if (entry) return entry;
    const inferred = { session: traceId, inferred: true };
    this.put(traceId, inferred);
    return inferred;
  }

  /** A span or record of the trace names its session. The first name a trace gets is kept. */
  named(traceId: string, session: string): void {
    const entry = this.touch(traceId);
    if (entry && !entry.inferred) return;
    this.put(traceId, { session, inferred: false });
    if (entry && entry.session !== session) {
      this.relabels += 1;
      this.onRelabel?.({ traceId, from: entry.session, to: session });
    }
  }

  private touch(traceId: string): Entry | undefined {
    const entry = this.traces.get(traceId);
    if (entry) {
      this.traces.delete(traceId);
      this.traces.set(traceId, entry);
    }
    return entry;
  }

  private put(traceId: string, entry: Entry): void {
    this.traces.delete(traceId);
    this.traces.set(traceId, entry);
    if (this.traces.size > this.maxTraces) {
      const oldest = this.traces.keys().next().value as string;
      this.traces.delete(oldest);
      this.evicted += 1;
    }
  }
}
