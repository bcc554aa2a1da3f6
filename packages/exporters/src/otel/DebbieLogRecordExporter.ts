import type { ExportResult } from '@opentelemetry/core';
import { convertForeignEvent, eventFromReadableLogRecord, redactEvent, TraceSessionIndex, type ReadableLogRecordLike } from '@debbie/model';
import type { EventDestination } from '../EventDestination.js';
import { SerialWriter, type SerialWriterOptions } from './SerialWriter.js';

/**
 * An OpenTelemetry LogRecordExporter that writes log records, as DebbieEvents, to any destination.
 * Secrets are masked (model's redactEvent) before anything leaves the process. Never throws;
 * reports through the result callback and `diag`.
 *
 * @example
 * new BatchLogRecordProcessor({ exporter: new DebbieLogRecordExporter(new CsvDestination({ output: 'logs.csv' })) })
 */
export class DebbieLogRecordExporter {
  private readonly writer: SerialWriter;
  /** Keyless records take their trace's session (see convertForeignEvent). */
  private readonly traces = new TraceSessionIndex();

  constructor(destination: EventDestination, options: SerialWriterOptions = {}) {
    this.writer = new SerialWriter(destination, 'DebbieLogRecordExporter', options);
  }

  export(logs: ReadableLogRecordLike[], resultCallback: (result: ExportResult) => void): void {
    this.writer.submit(logs, (log, out) => { out.push(redactEvent(convertForeignEvent(eventFromReadableLogRecord(log), { traces: this.traces }))); }, resultCallback);
  }

  /** Log records refused (queue full, after shutdown, or not convertible). */
  get dropped(): number { return this.writer.dropped; }

  forceFlush(): Promise<void> { return this.writer.forceFlush(); }

  shutdown(): Promise<void> { return this.writer.shutdown(); }
}
