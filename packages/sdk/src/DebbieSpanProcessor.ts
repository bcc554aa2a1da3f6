import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR, eventFromReadableSpan, eventsFromReadableSpan, spanStartEvent, type DebbieEvent, type EventSink } from '@debbie/model';
import { createPipeline, Pipeline } from '@debbie/pipeline';
import { getDebbieContext } from './context.js';

export interface DebbieSpanProcessorOptions {
  /** Where normalized events go: the one pipeline (a bare sink is put behind one, which converts and redacts). */
  sink: EventSink;
  /** Ended spans waiting for conversion before new ones are dropped and counted (default 65,536). */
  maxQueueSize?: number;
  /** Convert synchronously once this many spans are queued (default 512). */
  batchSize?: number;
}

/**
 * Turns every ended span into a DebbieEvent and writes it to a sink.
 * onEnd only queues the span; conversion runs in batches in a microtask, off the caller's path
 * but before any timer or I/O, so events stay in order with simulated clocks.
 * onStart stamps session/agent/correlation ids from Debbie's context onto spans from any
 * instrumentation, so foreign spans join the session they ran in, and — when a sink accepts
 * them (a live view, a forwarder to the collector) — reports the span's start as a span-start
 * event (SPAN_START_TAG), so a call that hangs shows as in progress while it hangs. The start is
 * converted in the same microtask batch as ends: a span that ended by then reports only its end.
 */
export class DebbieSpanProcessor implements SpanProcessor {
  private readonly sink: Pipeline;
  private readonly maxQueueSize: number;
  private readonly batchSize: number;
  private queue: ReadableSpan[] = [];
  private starts: Span[] = [];
  private scheduled = false;
  /** Spans dropped because the queue was full. */
  dropped = 0;
  /** Spans whose conversion failed (reported, never thrown). */
  failed = 0;
  /** Span-start events not reported because the start queue was full. */
  droppedStarts = 0;
  constructor(options: DebbieSpanProcessorOptions) {
    this.sink = options.sink instanceof Pipeline ? options.sink : createPipeline({ sinks: [options.sink] });
    this.maxQueueSize = options.maxQueueSize ?? 65_536;
    this.batchSize = options.batchSize ?? 512;
  }

  onStart(span: Span, parentContext: Context): void {
    const ids = getDebbieContext(parentContext);
    const attrs = span.attributes;
    if (ids.sessionId !== undefined && attrs[ATTR.SESSION_ID] === undefined) span.setAttribute(ATTR.SESSION_ID, ids.sessionId);
    if (ids.agentId !== undefined && attrs[ATTR.AGENT_ID] === undefined) span.setAttribute(ATTR.AGENT_ID, ids.agentId);
    if (ids.correlationId !== undefined && attrs[ATTR.CORRELATION_ID] === undefined) span.setAttribute(ATTR.CORRELATION_ID, ids.correlationId);
    if (!this.sink.acceptsSpanStarts) return;
    if (this.starts.length >= this.maxQueueSize) {
      this.droppedStarts += 1;
      return;
    }
    this.starts.push(span);
    this.schedule();
  }

  onEnd(span: ReadableSpan): void {
    if (this.queue.length >= this.maxQueueSize) {
      this.dropped += 1;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.batchSize) this.convert();
    else this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.convert());
  }

  /** Starts first, so a start always precedes its span's end; the pipeline sends them to live sinks only. */
  private convertStarts(): void {
    const starts = this.starts;
    this.starts = [];
    for (const span of starts) {
      if (span.ended) continue;
      let event;
      try {
        event = spanStartEvent(eventFromReadableSpan(span));
      } catch {
        this.failed += 1;
        continue;
      }
      this.sink.write(event);
    }
  }

  private convert(): void {
    this.scheduled = false;
    if (this.starts.length) this.convertStarts();
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const events: DebbieEvent[] = [];
    for (const span of batch) {
      const start = events.length;
      try {
        eventsFromReadableSpan(span, events); // foreign conversion and redaction: the pipeline's entrance
      } catch {
        events.length = start;
        this.failed += 1;
      }
    }
    for (const event of events) this.sink.write(event);
  }

  async forceFlush(): Promise<void> {
    this.convert();
    await this.sink.forceFlush();
  }

  async shutdown(): Promise<void> {
    this.convert();
    await this.sink.shutdown();
  }
}
