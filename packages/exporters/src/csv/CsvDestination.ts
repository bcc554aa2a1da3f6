import type { DebbieEvent } from '@debbie/model';
import type { EventDestination, ExportSummary } from '../EventDestination.js';
import { FileOutput, type OutputTarget } from '../FileOutput.js';
import { csvHeader, eventToCsvRow } from './csvTransform.js';

export interface CsvDestinationOptions {
  /** A file path (created or truncated) or a stream such as stdout. */
  output: OutputTarget;
  /** Write the header record first. Default true. */
  header?: boolean;
}

/** Streams events as RFC 4180 CSV (CRLF records, the stable column set); one batch in memory at a time. */
export class CsvDestination implements EventDestination {
  readonly target: string;
  private readonly out: FileOutput;
  private headerPending: boolean;
  private written = 0;
  private summary: ExportSummary | undefined;

  constructor(options: CsvDestinationOptions) {
    this.out = new FileOutput(options.output);
    this.target = this.out.target;
    this.headerPending = options.header ?? true;
  }

  async write(events: readonly DebbieEvent[]): Promise<void> {
    let text = '';
    if (this.headerPending) {
      text = csvHeader();
      this.headerPending = false;
    }
    for (const event of events) text += eventToCsvRow(event);
    this.written += events.length;
    await this.out.write(text);
  }

  async close(): Promise<ExportSummary> {
    if (this.summary) return this.summary;
    if (this.headerPending) {
      await this.out.write(csvHeader());
      this.headerPending = false;
    }
    await this.out.close();
    this.summary = { written: this.written, rejected: 0, bytes: this.out.bytes, target: this.target };
    return this.summary;
  }
}
