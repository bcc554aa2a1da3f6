import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { createEvent, epochMicros } from '@debbie/model';
import { exportEvents } from '../exportEvents.js';
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

    const rows = await query(`SELECT event_id, epoch_us(timestamp) AS us, duration_ms, tags, details, event_summary, stack_trace FROM read_parquet('${path}') ORDER BY event_id`);
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

  it('writes a valid empty file when no event arrives', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'empty.parquet');
    await new ParquetDestination({ path }).close();
    expect(await query(`SELECT count(*)::INT AS n FROM read_parquet('${path}')`)).toEqual([{ n: 0 }]);
  });

  it('leaves out an event whose timestamp cannot be typed and counts it, keeping the others', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-pq-')), 'bad.parquet');
    const dest = new ParquetDestination({ path });
    await dest.write([createEvent({ source: 'tool', event_summary: 'ok' }), { ...createEvent({ source: 'tool', event_summary: 'bad' }), timestamp: 'yesterday' }]);
    expect(await dest.close()).toMatchObject({ written: 1, rejected: 1 });
    expect(await query(`SELECT event_summary FROM read_parquet('${path}')`)).toEqual([{ event_summary: 'ok' }]);
  });
});
