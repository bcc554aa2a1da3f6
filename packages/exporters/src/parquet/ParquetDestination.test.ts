import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { createEvent, epochMicros } from '@debbie/model';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { exportEvents } from '../exportEvents.js';
import { DebbieLogRecordExporter } from '../otel/DebbieLogRecordExporter.js';
import { syntheticBatches, syntheticEvent } from '../testing/syntheticEvents.js';
import { ParquetDestination } from './ParquetDestination.js';

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}

describe('ParquetDestination', () => {
  it('writes typed columns that DuckDB reads back: TIMESTAMP (µs), DOUBLE, LIST<VARCHAR>, JSON text', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'out.parquet');
    const summary = await exportEvents(syntheticBatches(2_500, { batchSize: 700 }), new ParquetDestination({ path, rowGroupSize: 1_000 }));
    expect(summary).toMatchObject({ written: 2_500, rejected: 0 });

    const types = await query(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const typeOf = Object.fromEntries(types.map((r) => [r.column_name, r.column_type]));
    expect(typeOf.timestamp).toBe('TIMESTAMP WITH TIME ZONE');
    expect(typeOf.duration_ms).toBe('DOUBLE');
    expect(typeOf.tags).toBe('VARCHAR[]');
    expect(typeOf.details).toBe('VARCHAR');

    const meta = await query(`SELECT DISTINCT row_group_id, row_group_num_rows, compression FROM parquet_metadata('${path}') ORDER BY row_group_id`);
    expect(meta.map((m) => Number(m.row_group_num_rows))).toEqual([1000, 1000, 500]);
    expect(meta[0]!.compression).toBe('SNAPPY');

    const rows = await query(
      `SELECT event_id, epoch_us(timestamp) AS us, duration_ms, tags, details, event_summary, stack_trace FROM read_parquet('${path}') ORDER BY event_id`,
    );
    expect(rows).toHaveLength(2_500);
    for (const i of [0, 11, 1234, 2499]) {
      const e = syntheticEvent(i);
      const row = rows[i]!;
      expect(row.event_id).toBe(e.event_id);
      expect(Number(row.us)).toBe(epochMicros(e.timestamp));
      expect(row.duration_ms).toBe(e.duration_ms);
      expect(row.tags).toEqual(e.tags);
      expect(JSON.parse(row.details as string)).toEqual(e.details);
      expect(row.event_summary).toBe(e.event_summary);
      expect(row.stack_trace).toBe(e.stack_trace);
    }
  });

  it('is read the same by a second independent reader (hyparquet), dictionaries and LIST levels included', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'out.parquet');
    await exportEvents(syntheticBatches(1_200), new ParquetDestination({ path, rowGroupSize: 500 }));
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    expect(Number(metadata.num_rows)).toBe(1_200);
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([500, 500, 200]);
    const level = metadata.row_groups[0]!.columns[1]!.meta_data!;
    expect(level.encodings).toContain('RLE_DICTIONARY');
    expect(level.codec).toBe('SNAPPY');
    const rows = await parquetReadObjects({ file, columns: ['timestamp', 'level', 'duration_ms', 'tags', 'session_id', 'state_before'] });
    expect(rows).toHaveLength(1_200);
    for (const i of [0, 1, 7, 499, 500, 1_199]) {
      const e = syntheticEvent(i);
      expect(rows[i]).toEqual({
        timestamp: new Date(Math.floor(epochMicros(e.timestamp) / 1000)),
        level: e.level,
        duration_ms: e.duration_ms,
        tags: e.tags,
        session_id: e.session_id,
        state_before: e.state_before === null ? null : JSON.stringify(e.state_before),
      });
    }
  });

  it('handles all-null columns, empty tags, one distinct value and unique values in dictionary columns', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'edge.parquet');
    const events = Array.from({ length: 300 }, (_, i) =>
      createEvent({
        timestamp: `2025-06-02T21:05:${String(i % 60).padStart(2, '0')}.000001Z`,
        source: 'agent',
        event_summary: i === 5 ? '' : `é ✅ "${i}"`,
        correlation_id: `unique-${i}`,
        tags: i === 7 ? ['only'] : [],
      }),
    );
    await exportEvents([events], new ParquetDestination({ path, rowGroupSize: 128 }));
    const rows = await query(`SELECT event_summary, correlation_id, tags, session_id, duration_ms, stack_trace FROM read_parquet('${path}')`);
    expect(rows).toHaveLength(300);
    expect(rows[5]).toEqual({ event_summary: '', correlation_id: 'unique-5', tags: [], session_id: null, duration_ms: null, stack_trace: null });
    expect(rows[7]!.tags).toEqual(['only']);
    expect(rows[299]!.event_summary).toBe('é ✅ "299"');
    expect(new Set(rows.map((r) => r.correlation_id)).size).toBe(300);
  });

  it('takes log records from a real OTel pipeline and completes the file on shutdown', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'otel.parquet');
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter: new DebbieLogRecordExporter(new ParquetDestination({ path, rowGroupSize: 2 })) } as never)],
    });
    const logger = provider.getLogger('t');
    for (let i = 0; i < 5; i++) logger.emit({ body: `record ${i}`, attributes: { 'session.id': 'otel-s' } });
    await provider.shutdown();
    expect(await query(`SELECT event_summary, session_id FROM read_parquet('${path}') ORDER BY event_summary`)).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ event_summary: `record ${i}`, session_id: 'otel-s' })),
    );
  });

  it('writes a valid empty file when no event arrives', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'empty.parquet');
    await new ParquetDestination({ path }).close();
    expect(await query(`SELECT count(*)::INT AS n FROM read_parquet('${path}')`)).toEqual([{ n: 0 }]);
  });

  it('leaves out an event whose timestamp cannot be typed and counts it, keeping the others', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'bad.parquet');
    const dest = new ParquetDestination({ path });
    await dest.write([
      createEvent({ source: 'tool', event_summary: 'ok' }),
      { ...createEvent({ source: 'tool', event_summary: 'bad' }), timestamp: 'yesterday' },
    ]);
    expect(await dest.close()).toMatchObject({ written: 1, rejected: 1 });
    expect(await query(`SELECT event_summary FROM read_parquet('${path}')`)).toEqual([{ event_summary: 'ok' }]);
  });
});
