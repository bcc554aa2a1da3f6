import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent } from '@debbie/model';
import { openStore } from '@debbie/store';

// `debbie ingest` (the built CLI) of a JSON Lines file read by worker threads keeps the promises of
// the main-thread path: the same summary, every event stored once (again: none twice), a secret in
// a line a worker read masked, a malformed line rejected alone with its line number.

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
const SECRET = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
let dir: string;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'debbie-ingest-workers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ingest = (workers: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, 'ingest', ...args, '--no-commentary', '--format', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, DEBBIE_STORE: '', DEBBIE_INGEST_WORKERS: workers },
  });

async function stored(path: string): Promise<DebbieEvent[]> {
  const s = await openStore(path, { readOnly: true });
  try {
    return await s.queryEvents({});
  } finally {
    await s.close();
  }
}

describe('fault: debbie ingest with worker threads', () => {
  it('stores what the main thread stores: once, masked, the bad line kept raw with its line number', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const event = createEvent({
        source: i % 3 ? 'agent' : 'tool',
        event_summary: i === 12_345 ? `push with token ${SECRET}` : `step ${i} of the run`,
        timestamp: new Date(Date.UTC(2025, 5, 10, 10, 0, 0) + i).toISOString(),
        session_id: `s${i % 7}`,
        details: { i, note: 'plain text' },
      });
      lines.push(JSON.stringify(event));
    }
    lines[777] = '{"timestamp": "2025-06-10T10:00:00Z", "source": ';
    const file = join(dir, 'run.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const runs = [];
    for (const workers of ['0', '2']) {
      const store = join(dir, `w${workers}.duckdb`);
      const first = ingest(workers, file, '--store', store);
      const again = ingest(workers, file, '--store', store);
      expect(first.status, first.stderr).toBe(0);
      expect(again.status, again.stderr).toBe(0);
      runs.push({ summary: JSON.parse(first.stdout) as Record<string, unknown>[], events: await stored(store) });
    }
    const [serial, parallel] = runs;
    expect(parallel!.summary).toEqual(serial!.summary);
    expect(parallel!.summary[0]).toMatchObject({
      lines: 20_000,
      events: 20_000,
      unparseable: 1,
      firstUnparseable: expect.stringMatching(/^line 778: is not JSON/),
    });
    const key = (e: DebbieEvent) => JSON.stringify(e);
    expect(parallel!.events.map(key).sort()).toEqual(serial!.events.map(key).sort());
    expect(parallel!.events).toHaveLength(20_000); // the second ingest added nothing
    expect(parallel!.events.map(key).join('\n')).not.toContain(SECRET);
    expect(parallel!.events.find((e) => e.action === 'unparsed_line')!.details).toMatchObject({ log_line: 778 });
  });
});
