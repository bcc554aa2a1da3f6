import type { ExportResult } from '@opentelemetry/core';
import { eventFromReadableLogRecord, type ReadableLogRecordLike } from '@debbie/model';
import { createPipeline } from '@debbie/pipeline';
import { entered } from './DebbieSpanExporter.js';
import type { EventDestination } from '../EventDestination.js';
import { SerialWriter, type SerialWriterOptions } from './SerialWriter.js';

/**
 * An OpenTelemetry LogRecordExporter that writes log records, as DebbieEvents, to any destination.
 * Records enter through the one pipeline (foreign conversion, redaction) before anything leaves the process. Never throws;
 * reports through the result callback and `diag`.
 *
 * @example
 * new BatchLogRecordProcessor({ exporter: new DebbieLogRecordExporter(new CsvDestination({ output: 'logs.csv' })) })
 */
export class DebbieLogRecordExporter {
  private readonly writer: SerialWriter;
  /** The one pipeline's entrance (foreign conversion with its trace → session index, redaction); this exporter is its only sink. */
  private readonly entrance = createPipeline();

  constructor(destination: EventDestination, options: SerialWriterOptions = {}) {
    this.writer = new SerialWriter(destination, 'DebbieLogRecordExporter', options);
  }

  export(logs: ReadableLogRecordLike[], resultCallback: (result: ExportResult) => void): void {
    this.writer.submit(
      logs,
      (log, out) => {
        out.push(entered(this.entrance.submit(eventFromReadableLogRecord(log))));
      },
      resultCallback,
    );
  }

  /** Log records refused (queue full, after shutdown, or not convertible). */
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
