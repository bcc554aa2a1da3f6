import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { openStore } from './openStore.js';
import { SCHEMA_VERSION } from './schema.js';
import { eventAt } from './testEvents.js';

let dir: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-open-'));
});
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill();
    await once(child, 'exit');
  }
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function rawRun(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run(sql);
  conn.closeSync();
  instance.closeSync();
}

/** Starts another Node process that opens the file with DuckDB and holds it until killed. */
async function holdInAnotherProcess(path: string): Promise<ChildProcess> {
  const duckdbUrl = pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href;
  const script = join(dir, 'holder.mjs');
  writeFileSync(
    script,
    `
    import duckdb from ${JSON.stringify(duckdbUrl)};
    const instance = await duckdb.DuckDBInstance.create(${JSON.stringify(path)});
    await instance.connect();
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `,
  );
  const proc = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('ready')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return proc;
}

describe('openStore', () => {
  it('creates the file and its directory, with a schema version', async () => {
    const path = join(dir, 'nested', 'deeper', 'store.duckdb');
    const store = await openStore(path);
    await store.append([eventAt(0)]);
    await store.close();
    expect(existsSync(path)).toBe(true);
    const reopened = await openStore(path);
    expect(await reopened.countEvents({})).toBe(1);
    await reopened.close();
  });

  it('works in memory', async () => {
    const store = await openStore(':memory:');
    await store.append([eventAt(0)]);
    expect(await store.countEvents({})).toBe(1);
    await store.close();
  });

  it('lets a reader in the same process see what the writer flushed, and close independently', async () => {
    const path = join(dir, 'shared.duckdb');
    const writer = await openStore(path);
    await writer.append([eventAt(0)]);
    const reader = await openStore(path, { readOnly: true });
    expect(await reader.countEvents({})).toBe(1);
    await reader.close();
    await writer.append([eventAt(1)]);
    expect(await writer.countEvents({})).toBe(2);
    await writer.close();
  });

  it('refuses to open for writing a file this process holds read-only', async () => {
    const path = join(dir, 'ro-first.duckdb');
    await (await openStore(path)).close();
    const reader = await openStore(path, { readOnly: true });
    await expect(openStore(path)).rejects.toMatchObject({ code: 'store_locked' });
    await reader.close();
    await (await openStore(path)).close();
  });

  it('refuses a file that is not a DuckDB database', async () => {
    const path = join(dir, 'notes.duckdb');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(100));
    await expect(openStore(path)).rejects.toMatchObject({
      code: 'store_invalid',
      message: expect.stringContaining('notes.duckdb: is not a DuckDB database file'),
    });
    await expect(openStore(path, { readOnly: true })).rejects.toMatchObject({ code: 'store_invalid' });
  });

  it('refuses a DuckDB database that is not a Debbie store', async () => {
    const path = join(dir, 'other.duckdb');
    await rawRun(path, 'CREATE TABLE customers (id INTEGER)');
    await expect(openStore(path)).rejects.toMatchObject({ code: 'store_invalid', message: expect.stringContaining('not a Debbie store') });
  });

  it('says a read-only store that does not exist is missing', async () => {
    await expect(openStore(join(dir, 'missing.duckdb'), { readOnly: true })).rejects.toMatchObject({ code: 'store_missing' });
  });

  it('refuses a store written by a newer schema version', async () => {
    const path = join(dir, 'future.duckdb');
    await (await openStore(path)).close();
    await rawRun(path, `INSERT INTO debbie_schema (version) VALUES (${SCHEMA_VERSION + 1})`);
    await expect(openStore(path, { readOnly: true })).rejects.toMatchObject({ code: 'store_version' });
  });

  it('says to use --url when another process holds the file', async () => {
    const path = join(dir, 'busy.duckdb');
    await (await openStore(path)).close();
    child = await holdInAnotherProcess(path);
    for (const options of [{}, { readOnly: true }]) {
      const error = await openStore(path, options).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'store_locked' });
      expect((error as Error).message).toContain(`PID ${child.pid}`);
      expect((error as Error).message).toContain('--url');
    }
  });
});
