import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { createPipeline } from '@debbie/pipeline';
import { openStore } from '@debbie/store';
import { BIN } from './otelSender.js';

// Promise checked: `debbie collect` checks the store at start and refuses a damaged one with a
// clear message (instead of starting and answering 500s later); the file is left as it was.
const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'debbie-damaged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a damaged store', () => {
  it('collect refuses to start on it, naming the damage', async () => {
    const path = join(dir, 'damaged.duckdb');
    const pipeline = createPipeline({ store: await openStore(path) });
    await pipeline.writeBatch(
      Array.from({ length: 50_000 }, (_, i) => createEvent({ source: 'agent', event_summary: `event ${i} ${'z'.repeat(100)}`, session_id: `s${i % 7}` })),
    );
    await pipeline.shutdown();
    // Overwrite 4 KiB inside a data block (DuckDB's blocks are 256 KiB after the 8 KiB header pair).
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, Math.floor(size / 2 / 262_144) * 262_144 + 8192);
    closeSync(fd);
    const r = await exec(process.execPath, [BIN, 'collect', '--otlp-port', '0', '--stream-port', '0', '--store', path, '--no-commentary'], {
      cwd: dir,
      timeout: 60_000,
    }).then(
      (ok) => ({ code: 0, stderr: ok.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/damaged\.duckdb: is damaged: .*(checksum|Corrupt)/i);
    expect(statSync(path).size).toBe(size);
  }, 120_000);
});
