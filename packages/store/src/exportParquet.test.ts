import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination, exportEvents } from '@debbie/exporters';
import { createEvent } from '@debbie/model';
import { openDuckDBStore } from './openStore.js';

// `debbie export --format parquet` from a DuckDB store uses DuckDB's own COPY; every other source
// streams through @debbie/exporters' Parquet writer. Both must give the same rows and types.
const dir = mkdtempSync(join(tmpdir(), 'debbie-parquet-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(file: string): Promise<{ rows: unknown[]; types: unknown[] }> {
  const path = file.replace(/'/g, "''");
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`SELECT * REPLACE (epoch_us("timestamp") AS "timestamp") FROM read_parquet('${path}')`)).getRowObjectsJS();
  const types = (await c.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${path}'))`)).getRowsJS();
  c.closeSync();
  db.closeSync();
  return { rows, types };
}

describe('Parquet export through DuckDB COPY', () => {
  it('writes the rows and column types of the streaming writer, in time order, and leaves no partial file on failure', async () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      createEvent({
        timestamp: `2025-06-02T21:05:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}Z`,
        source: i % 3 ? 'tool' : 'agent',
        event_summary: `event ${i} "quoted" é`,
        session_id: i % 2 ? 's1' : 's2',
        duration_ms: i % 4 ? null : i * 1.5,
        tags: i % 5 ? [] : ['a', 'b'],
        details: { i, nested: { ok: true } },
        state_after: i % 7 ? null : 'done',
      }),
    );
    const store = await openDuckDBStore(join(dir, 'store.duckdb'));
    await store.append(events);
    const copied = join(dir, "copy's.parquet");
    expect(await store.exportParquet({ sessionId: 's1' }, copied)).toBe(150);
    const streamed = join(dir, 'stream.parquet');
    await exportEvents(store.streamEvents({ sessionId: 's1' }), createDestination({ format: 'parquet', output: streamed }));
    const [a, b] = [await read(copied), await read(streamed)];
    expect(a.types).toEqual(b.types);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows).toHaveLength(150);

    await expect(store.exportParquet({}, join(dir, 'no-such-dir', 'x.parquet'))).rejects.toMatchObject({ code: 'export_write_failed' });
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    await store.close();
  });

  it('copies a store already in time order (ties included) without a sort, to the same rows as the streaming writer', async () => {
    // Stored in time order, three events per timestamp: the copy's row order is the insertion order.
    const events = Array.from({ length: 240 }, (_, i) =>
      createEvent({
        timestamp: `2025-06-02T21:06:${String(Math.floor(i / 3 / 10)).padStart(2, '0')}.${String(Math.floor(i / 3) % 10).padStart(6, '0')}Z`,
        source: 'tool',
        event_summary: `ordered ${i}`,
        session_id: i % 2 ? 'a' : 'b',
        details: { i },
      }),
    );
    const store = await openDuckDBStore(join(dir, 'ordered.duckdb'));
    await store.append(events.slice(0, 100));
    await store.append(events.slice(100));
    for (const filter of [{}, { sessionId: 'a' }]) {
      const copied = join(dir, 'ordered-copy.parquet');
      const streamed = join(dir, 'ordered-stream.parquet');
      await store.exportParquet(filter, copied);
      await exportEvents(store.streamEvents(filter), createDestination({ format: 'parquet', output: streamed }));
      const [a, b] = [await read(copied), await read(streamed)];
      expect(a.rows).toEqual(b.rows);
      expect(a.rows.map((r) => (r as { event_summary: string }).event_summary)).toEqual(
        events.filter((e) => !('sessionId' in filter) || e.session_id === 'a').map((e) => e.event_summary),
      );
    }
    // Two exports at once take turns on the connection; both complete.
    const both = await Promise.all([store.exportParquet({}, join(dir, 'one.parquet')), store.exportParquet({ sessionId: 'b' }, join(dir, 'two.parquet'))]);
    expect(both).toEqual([240, 120]);
    await store.close();
  });
});
