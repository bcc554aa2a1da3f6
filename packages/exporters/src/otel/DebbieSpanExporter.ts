import type { ExportResult } from '@opentelemetry/core';
import { eventsFromReadableSpan, type DebbieEvent, type ReadableSpanLike } from '@debbie/model';
import { createPipeline } from '@debbie/pipeline';
import type { EventDestination } from '../EventDestination.js';
import { SerialWriter, type SerialWriterOptions } from './SerialWriter.js';

/**
 * An OpenTelemetry SpanExporter that writes spans, as DebbieEvents, to any destination (JSON, CSV,
 * Parquet, Elasticsearch, Splunk). Spans enter through the one pipeline (foreign conversion, redaction)
 * before anything leaves the process. Never throws; reports through the result callback and `diag`.
 *
 * @example
 * new BatchSpanProcessor(new DebbieSpanExporter(new JsonDestination({ output: 'spans.jsonl' })))
 */
export class DebbieSpanExporter {
  private readonly writer: SerialWriter;
  /** The one pipeline's entrance (foreign conversion with its trace → session index, redaction); this exporter is its only sink. */
  private readonly entrance = createPipeline();

  constructor(destination: EventDestination, options: SerialWriterOptions = {}) {
    this.writer = new SerialWriter(destination, 'DebbieSpanExporter', options);
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    this.writer.submit(
      spans,
      (span, out) => {
        const start = out.length;
        eventsFromReadableSpan(span, out);
        for (let i = start; i < out.length; i++) out[i] = entered(this.entrance.submit(out[i]!));
      },
      resultCallback,
    );
  }

  /** Spans refused (queue full, after shutdown, or not convertible). */
  get dropped(): number {
    return this.writer.dropped;
  }

  forceFlush(): Promise<void> {
    return this.writer.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.writer.shutdown();
  }
}

/** The event as the pipeline let it in; one it refused (redaction failed) counts as not convertible. */
export function entered(event: DebbieEvent | undefined): DebbieEvent {
  if (!event) throw new Error('redaction failed: not exported');
  return event;
}
