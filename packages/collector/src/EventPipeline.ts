import { convertForeignEvent, redactEvent, TraceSessionIndex, type DebbieEvent, type EventSink, type ForeignOptions } from '@debbie/model';

export interface EventPipelineOptions {
  /** Where every event goes after redaction: the store, the stream, exporters. */
  sinks: EventSink[];
  /** The commentary: it sees every event; what it says comes back through `comment()`. Optional. */
  commentary?: EventSink | undefined;
  /** Mask secrets before anything is stored or streamed. Default true. */
  redact?: boolean;
  /** Attribute names that carry the session (debbie.yaml `debbie_config.sessions.keys`), read first. */
  sessionKeys?: readonly string[];
}

/** Counters of the pipeline. */
export interface EventPipelineStats {
  events: number;
  comments: number;
  /** A sink threw on write: counted, and the other sinks still got the event. */
  sink_errors: number;
  /** Redaction threw: the event is dropped (never passed on unredacted) and counted. */
  redaction_errors: number;
  /** Traces whose events moved from the inferred session to the one a later span named. */
  session_relabels: number;
}

/** A sink that can move a trace's stored events to another session (the stores). */
interface Relabelling {
  relabelSession(traceId: string, from: string, to: string): Promise<number>;
}

function canRelabel(sink: EventSink): sink is EventSink & Relabelling {
  return typeof (sink as Partial<Relabelling>).relabelSession === 'function';
}

/**
 * The collector's pipeline: redact → store, commentary, stream. Commentary's own events
 * (debbie_comment) are fed back to the sinks but not to the commentary itself, so it never
 * comments on its comments. Sinks must not block (EventSink contract); one that throws is isolated.
 */
export class EventPipeline implements EventSink {
  private readonly sinks: EventSink[];
  private commentary: EventSink | undefined;
  private readonly redact: boolean;
  private readonly foreign: ForeignOptions;
  readonly stats: EventPipelineStats = { events: 0, comments: 0, sink_errors: 0, redaction_errors: 0, session_relabels: 0 };

  constructor(options: EventPipelineOptions) {
    this.sinks = [...options.sinks];
    this.commentary = options.commentary;
    this.redact = options.redact ?? true;
    // Spans end children first: a trace's session is often named by the last span to arrive.
    // Events stored earlier under the trace's inferred session are moved when it is named.
    const traces = new TraceSessionIndex({ onRelabel: ({ traceId, from, to }) => this.relabel(traceId, from, to) });
    this.foreign = { traces, sessionKeys: options.sessionKeys ?? [] };
  }

  /** Adds a sink (e.g. the stream once its server is up). */
  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Sets the commentary after construction (it needs `comment` as its callback). */
  setCommentary(commentary: EventSink): void {
    this.commentary = commentary;
  }

  write(event: DebbieEvent): void {
    const clean = this.clean(convertForeignEvent(event, this.foreign));
    if (!clean) return;
    this.stats.events += 1;
    this.fanOut(clean);
    if (this.commentary) this.writeTo(this.commentary, clean);
  }

  private relabel(traceId: string, from: string, to: string): void {
    this.stats.session_relabels += 1;
    for (const sink of this.sinks) {
      if (canRelabel(sink)) sink.relabelSession(traceId, from, to).catch(() => { this.stats.sink_errors += 1; });
    }
  }

  /** An event the commentary produced: stored and streamed like any other. */
  comment(event: DebbieEvent): void {
    const clean = this.clean(event);
    if (!clean) return;
    this.stats.comments += 1;
    this.fanOut(clean);
  }

  private clean(event: DebbieEvent): DebbieEvent | undefined {
    if (!this.redact) return event;
    try {
      return redactEvent(event);
    } catch {
      this.stats.redaction_errors += 1;
      return undefined;
    }
  }

  private fanOut(event: DebbieEvent): void {
    for (const sink of this.sinks) this.writeTo(sink, event);
  }

  private writeTo(sink: EventSink, event: DebbieEvent): void {
    try {
      sink.write(event);
    } catch {
      this.stats.sink_errors += 1;
    }
  }

  /** Flushes the commentary first (its last comments reach the sinks), then the sinks. */
  async forceFlush(): Promise<void> {
    if (this.commentary) await this.commentary.forceFlush().catch(() => { this.stats.sink_errors += 1; });
    await Promise.all(this.sinks.map((s) => s.forceFlush().catch(() => { this.stats.sink_errors += 1; })));
  }

  async shutdown(): Promise<void> {
    if (this.commentary) await this.commentary.shutdown().catch(() => { this.stats.sink_errors += 1; });
    await Promise.all(this.sinks.map((s) => s.shutdown().catch(() => { this.stats.sink_errors += 1; })));
  }
}
