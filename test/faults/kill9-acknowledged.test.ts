import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSpans, OtelSender, startCollect, storedSpanIds, type CollectChild } from './otelSender.js';

// Promise checked: acknowledged means durable. Every span the collector answered 2xx to is in the
// store after `kill -9` and a restart, across 5 runs, with the official OTel exporter as the sender.
const dir = mkdtempSync(join(tmpdir(), 'debbie-kill9-'));
const store = join(dir, 'store.duckdb');
let current: CollectChild | undefined;
afterAll(() => {
  if (current && current.child.exitCode === null) current.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 of debbie collect mid-stream', () => {
  it('loses no acknowledged span (5 runs on one store, restarted each time)', async () => {
    const acknowledged = new Set<string>();
    for (let run = 0; run < 5; run++) {
      current = await startCollect(dir, store);
      const sender = new OtelSender(current.url, 2000); // short: after the kill its retries only wait
      // Four senders keep requests in flight; the kill lands while some are being committed.
      let stop = false;
      const senders = Array.from({ length: 4 }, async (_, s) => {
        for (let b = 0; !stop && b < 200; b++) await sender.send(makeSpans(200, `r${run}s${s}b${b}`));
      });
      while (sender.acknowledged.size < 4000) await new Promise((r) => setTimeout(r, 10));
      current.child.kill('SIGKILL');
      expect(await current.exited).toBeNull(); // killed, not exited
      stop = true;
      await Promise.all(senders);
      await sender.exporter.shutdown();
      for (const id of sender.acknowledged) acknowledged.add(id);
      // The restart opens the store the kill left behind (DuckDB replays its WAL) and keeps it.
      current = await startCollect(dir, store);
      current.child.kill('SIGTERM');
      expect(await current.exited).toBe(0);
      const stored = await storedSpanIds(store);
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      expect(missing, `run ${run + 1}: ${missing.length} of ${acknowledged.size} acknowledged spans missing`).toEqual([]);
    }
  }, 240_000);
});
