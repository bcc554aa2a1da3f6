import type { ExportResult } from '@opentelemetry/core';
import { convertForeignEvent, eventsFromReadableSpan, redactEvent, TraceSessionIndex, type ReadableSpanLike } from '@debbie/model';
import type { EventDestination } from '../EventDestination.js';
import { SerialWriter, type SerialWriterOptions } from './SerialWriter.js';

/**
 * An OpenTelemetry SpanExporter that writes spans, as DebbieEvents, to any destination (JSON, CSV,
 * Parquet, Elasticsearch, Splunk). Secrets are masked (model's redactEvent) before anything leaves
 * the process. Never throws; reports through the result callback and `diag`.
 *
 * @example
 * new BatchSpanProcessor(new DebbieSpanExporter(new JsonDestination({ output: 'spans.jsonl' })))
 */
export class DebbieSpanExporter {
  private readonly writer: SerialWriter;
  /** Keyless spans take their trace's session (see convertForeignEvent). */
  private readonly traces = new TraceSessionIndex();

  constructor(destination: EventDestination, options: SerialWriterOptions = {}) {
    this.writer = new SerialWriter(destination, 'DebbieSpanExporter', options);
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    this.writer.submit(spans, (span, out) => {
      const start = out.length;
      eventsFromReadableSpan(span, out);
      for (let i = start; i < out.length; i++) out[i] = redactEvent(convertForeignEvent(out[i]!, { traces: this.traces }));
    }, resultCallback);
  }

  /** Spans refused (queue full, after shutdown, or not convertible). */
  get dropped(): number { return this.writer.dropped; }

  forceFlush(): Promise<void> { return this.writer.forceFlush(); }

  shutdown(): Promise<void> { return this.writer.shutdown(); }
}
