import { DebbieError, type DebbieEvent } from '@debbie/model';
import { ParquetWriter } from 'hyparquet-writer';
import { stat } from 'node:fs/promises';
import type { EventDestination, ExportSummary } from '../EventDestination.js';
import { AsyncFileWriter } from './AsyncFileWriter.js';
import { ParquetColumns, parquetSchema } from './parquetTransform.js';

export interface ParquetDestinationOptions {
  /** The file to write (created or truncated). Parquet needs a seekable file, not stdout. */
  path: string;
  /** Rows per row group: the bound on rows held in memory. Default 50,000. */
  rowGroupSize?: number;
  /** Compression codec. Default 'SNAPPY' (the only one hyparquet-writer ships besides none). */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
}

/**
 * Streams events into a Parquet file with typed columns (see parquetSchema), writing a row group
 * each time `rowGroupSize` rows have arrived, so memory stays flat however long the export.
 */
export class ParquetDestination implements EventDestination {
  readonly target: string;
  private readonly rowGroupSize: number;
  private readonly codec: 'SNAPPY' | 'UNCOMPRESSED';
  private readonly columns = new ParquetColumns();
  private file: AsyncFileWriter | undefined;
  private writer: ParquetWriter | undefined;
  private written = 0;
  private rejected = 0;
  private summary: ExportSummary | undefined;

  constructor(options: ParquetDestinationOptions) {
    this.target = options.path;
    this.rowGroupSize = options.rowGroupSize ?? 50_000;
    this.codec = options.codec ?? 'SNAPPY';
    if (!(this.rowGroupSize >= 1)) throw new DebbieError('invalid_option', `rowGroupSize must be at least 1, got ${this.rowGroupSize}`);
  }

  async write(events: readonly DebbieEvent[]): Promise<void> {
    for (const event of events) {
      try { this.columns.push(event); } catch {
        this.rejected += 1; // a row whose timestamp cannot be typed is left out alone
        continue;
      }
      if (this.columns.length >= this.rowGroupSize) await this.flushGroup();
    }
  }

  async close(): Promise<ExportSummary> {
    if (this.summary) return this.summary;
    try {
      await this.flushGroup();
      const writer = await this.open();
      await writer.finish();
    } catch (error) {
      await this.file?.abort();
      throw new DebbieError('export_write_failed', `cannot write ${this.target}: ${(error as Error).message}`);
    }
    const { size } = await stat(this.target);
    this.summary = { written: this.written, rejected: this.rejected, bytes: size, target: this.target };
    return this.summary;
  }

  private async open(): Promise<ParquetWriter> {
    if (!this.writer) {
      this.file = await AsyncFileWriter.create(this.target);
      this.writer = new ParquetWriter({ writer: this.file, schema: parquetSchema(), codec: this.codec, createdBy: 'debbie-exporters' });
    }
    return this.writer;
  }

  private async flushGroup(): Promise<void> {
    const rows = this.columns.length;
    if (rows === 0) return;
    const writer = await this.open();
    const columnData = this.columns.take() as Parameters<ParquetWriter['write']>[0]['columnData'];
    await writer.write({ columnData, rowGroupSize: rows });
    this.written += rows;
  }
}
