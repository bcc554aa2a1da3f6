import { convertForeignEvent, redactEvent, TraceSessionIndex, type DebbieEvent, type EventSink, type ForeignOptions } from '@debbie/model';

export interface EventPipelineOptions {
  /** Where every event goes after redaction: the store, the stream, exporters. */
  sinks: EventSink[];
  /** The commentary: it sees every event; what it says comes back through `comment()`. Optional. */
  commentary?: EventSink | undefined;
  /** Mask secrets before anything is stored or streamed. Default true. */
  redact?: boolean;
  /** Session keys and the trace → session index for foreign telemetry (convertForeignEvent). */
  foreign?: ForeignOptions;
}

/** Counters of the pipeline. */
export interface EventPipelineStats {
  events: number;
  comments: number;
  /** A sink threw on write: counted, and the other sinks still got the event. */
  sink_errors: number;
  /** Redaction threw: the event is dropped (never passed on unredacted) and counted. */
  redaction_errors: number;
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
  readonly stats: EventPipelineStats = { events: 0, comments: 0, sink_errors: 0, redaction_errors: 0 };

  constructor(options: EventPipelineOptions) {
    this.sinks = [...options.sinks];
    this.commentary = options.commentary;
    this.redact = options.redact ?? true;
    this.foreign = { traces: new TraceSessionIndex(), ...options.foreign };
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
