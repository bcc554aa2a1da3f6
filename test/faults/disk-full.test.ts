import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { BIN, startCollect, storedSpanIds, type CollectChild } from './otelSender.js';

// Promises checked: write failures are loud. On a full disk the receiver answers 503 (never 2xx)
// while it lasts and recovers when space returns; `debbie ingest` exits non-zero naming the error
// and how much it stored; what was stored before stays intact. Needs root for a 5 MB tmpfs.
const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'debbie-diskfull-'));
const mnt = join(dir, 'small');
mkdirSync(mnt);
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', mnt], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not root, or no mount in this container: the test says so below and is skipped
}
let collect: CollectChild | undefined;
afterAll(() => {
  if (collect && collect.child.exitCode === null) collect.child.kill('SIGKILL');
  if (mounted) execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

const store = join(mnt, 'store.duckdb');
const filler = join(mnt, 'filler');
let batchNo = 0;
function spansJson(n: number): { body: string; ids: string[] } {
  const b = ++batchNo;
  const ids = Array.from({ length: n }, (_, i) => (b * 100_000 + i + 1).toString(16).padStart(16, '0'));
  const spans = ids.map((spanId) => ({
    traceId: spanId.padStart(32, '0'),
    spanId,
    name: 'fill',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000001000000',
    attributes: [
      { key: 'session.id', value: { stringValue: 'disk' } },
      { key: 'pad', value: { stringValue: `${spanId} `.repeat(40) } },
    ],
  }));
  return { body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }), ids };
}
/** Fills the tmpfs but for `leave` bytes. */
function fill(leave: number): void {
  const free = Number(statfsSync(mnt).bavail) * Number(statfsSync(mnt).bsize);
  writeFileSync(filler, Buffer.alloc(Math.max(0, free - leave)));
}

describe.skipIf(!mounted)('disk full (5 MB tmpfs)', () => {
  it('answers 503 while the disk is full, 200 again once space returns, and keeps every acknowledged span', async () => {
    collect = await startCollect(dir, store);
    const post = (body: string) => fetch(`${collect!.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    fill(1024 * 1024);
    const acknowledged: string[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const { body, ids } = spansJson(500);
      const res = await post(body);
      await res.arrayBuffer();
      if (res.status === 200) acknowledged.push(...ids);
      else refused = res;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(acknowledged.length).toBeGreaterThan(0);
    // Still full: still refused, never a 2xx for what cannot be written.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await post(spansJson(500).body)).status).toBe(503);
    // Space returns: it recovers by itself.
    rmSync(filler);
    let recovered = false;
    for (let i = 0; i < 20 && !recovered; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const { body, ids } = spansJson(100);
      const res = await post(body);
      await res.arrayBuffer();
      if (res.status === 200) {
        acknowledged.push(...ids);
        recovered = true;
      }
    }
    expect(recovered).toBe(true);
    collect.child.kill('SIGTERM');
    expect(await collect.exited).toBe(0); // every failure was answered 503: nothing acknowledged was lost
    expect(collect.output()).toMatch(/requests answered 503/);
    const stored = await storedSpanIds(store);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  }, 120_000);

  it('debbie ingest on a full disk exits non-zero naming the error and the count stored; old data intact', async () => {
    const before = (await storedSpanIds(store)).size;
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify(createEvent({ source: 'agent', event_summary: `line ${i} ${'y'.repeat(200)}`, session_id: 'ingest-full' })),
    );
    const file = join(dir, 'big.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    fill(512 * 1024);
    const r = await exec(process.execPath, [BIN, 'ingest', file, '--store', store, '--no-commentary'], { cwd: dir }).then(
      (ok) => ({ code: 0, stderr: ok.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No space left on device/);
    // "(stopped early)" when the failure came while the file was still being read; worker threads
    // may have read all of it by then (the count is right either way).
    expect(r.stderr).toMatch(/debbie ingest: \d+ events stored; \d+ of \d+ read were not stored( \(stopped early\))?: .*No space left/);
    rmSync(filler);
    expect((await storedSpanIds(store)).size).toBe(before);
  }, 120_000);
});
