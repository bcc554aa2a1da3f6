import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@debbie/store';
import { BIN, startCollect } from './otelSender.js';

// Promise checked: `debbie ingest` stores every line it reports (or exits non-zero saying how many
// it did not), into a store and through `--url` into a running collector that answers 503 when
// behind. 100,000 lines here to keep CI time reasonable; bench/ingest-lines.bench.mjs runs the
// 2-million-line file of the issue.
const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'debbie-ingest-counts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LINES = 100_000;

async function writeLog(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    const ms = String(i % 1000).padStart(3, '0');
    const line = `2025-06-02 21:${String(Math.floor(i / 60_000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')},${ms} 1398427 MainThread aiwhisperer.agents.agent - INFO - step ${i} of session s${i % 50}\n`;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

function reportedEvents(stdout: string): number {
  const m = /(\d+) lines → (\d+) events/.exec(stdout);
  if (!m) throw new Error(`no summary in: ${stdout}`);
  return Number(m[2]);
}

describe(`debbie ingest of ${LINES.toLocaleString()} lines`, () => {
  const file = join(dir, 'big.log');

  it('into a store: every reported event is stored, exit 0', async () => {
    await writeLog(file, LINES);
    const store = join(dir, 'store.duckdb');
    const r = await exec(process.execPath, [BIN, 'ingest', file, '--store', store, '--no-commentary'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    const reported = reportedEvents(r.stdout);
    expect(reported).toBe(LINES);
    const s = await openStore(store, { readOnly: true });
    try {
      expect(await s.countEvents({})).toBe(reported);
    } finally {
      await s.close();
    }
  }, 300_000);

  it('through --url into a running collector: every reported event is stored, exit 0', async () => {
    const store = join(dir, 'collected.duckdb');
    const collect = await startCollect(dir, store);
    try {
      const r = await exec(process.execPath, [BIN, 'ingest', file, '--url', collect.url], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
      const reported = reportedEvents(r.stdout);
      expect(reported).toBe(LINES);
      collect.child.kill('SIGTERM');
      expect(await collect.exited).toBe(0);
      expect(collect.output()).toMatch(new RegExp(`${LINES} events received`));
      const s = await openStore(store, { readOnly: true });
      try {
        expect(await s.countEvents({})).toBe(reported);
      } finally {
        await s.close();
      }
    } finally {
      if (collect.child.exitCode === null) collect.child.kill('SIGKILL');
    }
  }, 300_000);
});
