import { appendFileSync, copyFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DebbieEvent, EventSink } from '@debbie/model';
import { FileFollower, parserForFile } from '@debbie/collector';

// Promises of `debbie ingest --follow` (FileFollower) when the followed file is truncated, refilled,
// rotated or re-read: every line that is in the file when the follower looks is ingested once, and
// a re-read line has the id it had before (so a store that keeps one event per id stores it once).
// The follower is polled by hand: "within one poll" is exact, not a race against a timer. The last
// test runs the built CLI against a DuckDB store, killed with SIGKILL and restarted.

class Sink implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-follow-fault-'));
});

const lines = (tag: string, from: number, n: number) =>
  `${Array.from({ length: n }, (_, i) => `2025-06-02 21:05:${String((from + i) % 60).padStart(2, '0')},${String((from + i) % 1000).padStart(3, '0')} 1 MainThread app.${tag} - INFO - ${tag} line ${from + i}`).join('\n')}\n`;

async function follower(path: string, sink: EventSink): Promise<FileFollower> {
  const { parser } = await parserForFile(path, {});
  const f = new FileFollower(path, { parser, sink, pollMs: 3_600_000, idleFlushMs: 0 });
  await f.start();
  return f;
}

const summaries = (s: Sink, tag: string) => s.events.map((e) => e.event_summary).filter((m) => m.startsWith(`${tag} line`));
const expected = (tag: string, from: number, n: number) => Array.from({ length: n }, (_, i) => `${tag} line ${from + i}`);

describe('fault: truncating and rotating followed files', () => {
  it('promise: truncated and refilled past the old offset within one poll, none of the 2,000 new lines is lost', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines('old', 0, 1000));
    const sink = new Sink();
    const f = await follower(path, sink);
    await f.poll(); // idle: the last record is complete
    expect(summaries(sink, 'old')).toHaveLength(1000);
    // `> app.log` then a burst of writes, all before the next poll: the file ends up longer than before.
    truncateSync(path, 0);
    writeFileSync(path, lines('new', 0, 2000));
    await f.poll();
    await f.stop();
    expect(summaries(sink, 'new')).toEqual(expected('new', 0, 2000));
    expect(summaries(sink, 'old')).toHaveLength(1000);
    expect(f.stats.truncations).toBe(1);
  });

  it('promise: refilled with the same first line but other content past it, the change is still noticed', async () => {
    const path = join(dir, 'app.log');
    const head = '2025-06-02 21:05:00,000 1 MainThread app.banner - INFO - service starting\n';
    writeFileSync(path, head + lines('old', 0, 50));
    const sink = new Sink();
    const f = await follower(path, sink);
    writeFileSync(path, head + lines('new', 0, 80)); // same first line, same length prefix, other lines
    await f.poll();
    await f.stop();
    expect(summaries(sink, 'new')).toEqual(expected('new', 0, 80));
    expect(f.stats.truncations).toBe(1);
  });

  it('promise: truncated to a shorter file, the new content is read from its start', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines('old', 0, 100));
    const sink = new Sink();
    const f = await follower(path, sink);
    writeFileSync(path, lines('new', 0, 3));
    await f.poll();
    appendFileSync(path, lines('new', 3, 2));
    await f.poll();
    await f.stop();
    expect(summaries(sink, 'new')).toEqual(expected('new', 0, 5));
  });

  it('promise: rotated (renamed, written to after the rename, then replaced) between polls: old rest first, then the new file, nothing lost', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines('a', 0, 10));
    const sink = new Sink();
    const f = await follower(path, sink);
    appendFileSync(path, lines('a', 10, 5));
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, lines('a', 15, 5)); // the writer still holds the old file
    writeFileSync(path, lines('b', 0, 7));
    await f.poll();
    appendFileSync(path, lines('b', 7, 3));
    await f.poll();
    await f.stop();
    expect(summaries(sink, 'a')).toEqual(expected('a', 0, 20));
    expect(summaries(sink, 'b')).toEqual(expected('b', 0, 10));
    expect(f.stats.rotations).toBe(1);
  });

  it('promise: copytruncate (copy to .1, truncate, writer goes on) loses nothing written after the copy', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines('a', 0, 20));
    const sink = new Sink();
    const f = await follower(path, sink);
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, lines('c', 0, 40));
    await f.poll();
    await f.stop();
    expect(summaries(sink, 'c')).toEqual(expected('c', 0, 40));
  });

  it('promise: a follower restarted after a stop re-reads the file with the same ids, so nothing is stored twice', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines('r', 0, 30));
    const first = new Sink();
    const f1 = await follower(path, first);
    await f1.stop();
    appendFileSync(path, lines('r', 30, 10));
    const second = new Sink();
    const f2 = await follower(path, second);
    await f2.stop();
    const before = new Set(first.events.map((e) => e.event_id));
    expect(second.events).toHaveLength(40);
    expect(second.events.slice(0, 30).map((e) => e.event_id)).toEqual(first.events.map((e) => e.event_id));
    expect(second.events.slice(30).filter((e) => before.has(e.event_id))).toEqual([]);
    // Ingesting the same file with ingestFile gives the same ids as following it.
    const { ingestFile } = await import('@debbie/collector');
    const once = new Sink();
    await ingestFile(path, { sink: once });
    expect(once.events.map((e) => e.event_id)).toEqual(second.events.map((e) => e.event_id));
  });

  it('promise: an over-long line appended to a followed file is one event, tagged truncated and counted', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, lines('x', 0, 1));
    const sink = new Sink();
    const f = await follower(path, sink);
    appendFileSync(path, `2025-06-02 21:05:01,000 1 MainThread app.x - INFO - x line huge ${'y'.repeat(5 * 1024 * 1024)}\n`);
    for (let i = 0; i < 8; i++) await f.poll(); // 1 MiB per poll
    appendFileSync(path, lines('x', 2, 1));
    await f.poll();
    await f.stop();
    expect(sink.events.map((e) => e.event_summary.slice(0, 12))).toEqual(['x line 0', 'x line huge ', 'x line 2']);
    expect(sink.events[1]!.tags).toContain('truncated');
    expect(f.stats.truncated).toBe(1);
    expect(f.stats.limitErrors[0]).toMatch(/app\.log line 2: a line of \d+ bytes is longer than the limit/);
  });
});

describe('fault: debbie ingest --follow killed and restarted (built CLI, DuckDB store)', () => {
  it('promise: after kill -9 mid-stream, a restarted --follow stores every line of the file exactly once', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const { openStore } = await import('@debbie/store');
    const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'packages/cli/dist/bin.js');
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
    const path = join(dir, 'app.log');
    const store = join(dir, 'follow.duckdb');
    writeFileSync(path, lines('k', 0, 500));
    const follow = async () => {
      const child = spawn(process.execPath, [bin, 'ingest', path, '--follow', '--store', store, '--no-commentary', '--format', 'json']);
      let err = '';
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('following')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      return { child, output: () => out };
    };
    const first = await follow();
    await new Promise((r) => setTimeout(r, 2500)); // the first 500 lines stored (the follower flushes every second)
    appendFileSync(path, lines('k', 500, 300)); // read by the follower, maybe not yet stored when killed
    await new Promise((r) => setTimeout(r, 300));
    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;
    const before = await openStore(store, { readOnly: true });
    const storedBeforeRestart = (await before.queryEvents({})).length;
    await before.close();
    expect(storedBeforeRestart).toBeGreaterThanOrEqual(500); // so the restart re-reads lines already stored
    appendFileSync(path, lines('k', 800, 200));
    const second = await follow();
    await new Promise((r) => setTimeout(r, 600));
    const stopped = new Promise<number | null>((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGINT');
    expect(await stopped).toBe(0);
    const s = await openStore(store, { readOnly: true });
    try {
      const events = await s.queryEvents({});
      const got = events.map((e) => e.event_summary).sort((a, b) => Number(a.split(' ').pop()) - Number(b.split(' ').pop()));
      expect(got).toEqual(expected('k', 0, 1000));
    } finally {
      await s.close();
    }
  });
});
