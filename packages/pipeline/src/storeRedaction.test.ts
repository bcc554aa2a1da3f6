import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { createEvent } from '@debbie/model';
import { openStore } from '@debbie/store';
import { createPipeline } from './index.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the pipeline in front of the DuckDB store', () => {
  it('never lets an api_key or Authorization value reach the file (the store trusts the pipeline)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-pipeline-'));
    const path = join(dir, 'secrets.duckdb');
    const pipeline = createPipeline({ store: await openStore(path) });
    await pipeline.writeBatch([
      createEvent({
        source: 'agent',
        event_summary: 'calling with Bearer abcdefghijklmnop1234',
        details: { api_key: 'sk-or-v1-0123456789abcdef0123', headers: { Authorization: 'Bearer abcdefghijklmnop1234' } },
        context_snapshot: { apiKey: 'hunter2-secret-value' },
      }),
    ]);
    await pipeline.shutdown();
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    const rows = (
      await conn.runAndReadAll('SELECT CAST(details AS VARCHAR) AS d, CAST(context_snapshot AS VARCHAR) AS c, event_summary AS s FROM events')
    ).getRowObjectsJS();
    conn.closeSync();
    const onDisk = JSON.stringify(rows);
    expect(rows).toHaveLength(1);
    for (const secret of ['sk-or-v1-0123456789abcdef0123', 'abcdefghijklmnop1234', 'hunter2-secret-value']) expect(onDisk).not.toContain(secret);
  });
});
