import type { DebbieEvent } from '@debbie/model';

/** What one export delivered, reported when a destination closes. */
export interface ExportSummary {
  /** Events the destination accepted (written to the file, acknowledged by the server). */
  written: number;
  /** Events the destination refused for good (e.g. a 400 item of a bulk request), each recorded in the dead-letter file when one is configured. */
  rejected: number;
  /** Bytes sent or written (after compression, where the transport compresses). */
  bytes: number;
  /** Events sent again after a failure the server may have processed them anyway (marked, see each exporter). */
  resent?: number;
  /** Where the events went: a file path, "stdout" or a URL. */
  target: string;
}

/**
 * Where exported events go: a file in one format, or a server. Batches are written in order;
 * `write` resolves when the batch is handed to the OS or acknowledged by the server, so a caller
 * that awaits it never holds more than one batch. Transport failures that outlast the retries
 * reject the promise with a DebbieError naming the destination and the cause.
 */
export interface EventDestination {
  readonly target: string;
  write(events: readonly DebbieEvent[]): Promise<void>;
  /** Finishes the output (closing brackets, Parquet footer, last bulk request) and reports totals. Idempotent. */
  close(): Promise<ExportSummary>;
}
