import type { ExportResult } from '@opentelemetry/core';
import { eventFromReadableSpan, redactEvent, type ReadableSpanLike } from '@debbie/model';
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

  constructor(destination: EventDestination, options: SerialWriterOptions = {}) {
    this.writer = new SerialWriter(destination, 'DebbieSpanExporter', options);
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    this.writer.submit(spans, (span) => redactEvent(eventFromReadableSpan(span)), resultCallback);
  }

  /** Spans refused (queue full, after shutdown, or not convertible). */
  get dropped(): number { return this.writer.dropped; }

  forceFlush(): Promise<void> { return this.writer.forceFlush(); }

  shutdown(): Promise<void> { return this.writer.shutdown(); }
}
