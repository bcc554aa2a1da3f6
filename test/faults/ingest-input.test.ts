import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@debbie/store';

// Promises of `debbie ingest` (the built CLI) on hostile input: a binary file is refused with a clear
// error and nothing stored unless forced; an over-long record becomes ONE event, cut and tagged, with
// an error naming the file, the line and the limit, and a non-zero exit (something was not kept);
// the same file ingested twice leaves the store unchanged.

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
let dir: string;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'debbie-ingest-fault-'));
});

const ingest = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'ingest', ...args, '--no-commentary'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('fault: hostile input to debbie ingest', () => {
  it('promise: an 8 MB binary file is refused (exit 1, error naming the file), nothing stored; --allow-binary reads it as raw lines', async () => {
    const path = join(dir, 'blob.bin');
    const bytes = Buffer.alloc(8 * 1024 * 1024);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    writeFileSync(path, bytes);
    const store = join(dir, 'bin.duckdb');
    const refused = ingest(path, '--store', store);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/blob\.bin: looks binary .*--allow-binary/);
    const s = await openStore(store, { readOnly: true });
    try {
      expect(await s.queryEvents({})).toEqual([]);
    } finally {
      await s.close();
    }
    const forced = ingest(path, '--store', join(dir, 'forced.duckdb'), '--allow-binary', '--format', 'json');
    const [r] = JSON.parse(forced.stdout) as { events: number; unparseable: number }[];
    expect(r!.events).toBeGreaterThan(0);
    expect(r!.unparseable).toBe(r!.events); // every line kept, as a raw event tagged unparsed
  });

  it('promise: a 50 MB log record is one event tagged truncated, not 13; the error names file, line and limit; exit 1', async () => {
    const path = join(dir, 'huge.log');
    const fd = openSync(path, 'w');
    writeSync(fd, '2025-06-10 10:00:00,000 1 MainThread app.server - INFO - before\n2025-06-10 10:00:01,000 1 MainThread app.server - INFO - huge ');
    const block = Buffer.alloc(1024 * 1024, 'z');
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, '\n2025-06-10 10:00:02,000 1 MainThread app.server - INFO - after\n');
    closeSync(fd);
    const store = join(dir, 'huge.duckdb');
    const run = ingest(path, '--store', store, '--format', 'json');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/huge\.log line 2: a line of \d{8} bytes is longer than the limit of 1048576 bytes/);
    const [r] = JSON.parse(run.stdout) as { lines: number; events: number; truncated: number }[];
    expect(r).toMatchObject({ lines: 3, events: 3, truncated: 1 });
    const s = await openStore(store, { readOnly: true });
    try {
      const events = await s.queryEvents({});
      expect(events.map((e) => e.event_summary.slice(0, 6))).toEqual(['before', 'huge z', 'after']);
      expect(events[1]!.tags).toContain('truncated');
      expect(events[1]!.details.original_bytes).toBeGreaterThan(50 * 1024 * 1024);
    } finally {
      await s.close();
    }
  });

  it('promise: the same file ingested twice leaves the store unchanged, comments included (dated by the log, same ids)', async () => {
    const path = join(dir, 'twice.log');
    const session = '3f2a8c1e-1b2c-4d5e-8f90-123456789abc';
    writeFileSync(
      path,
      [
        'a line before any time',
        ...Array.from(
          { length: 6 },
          (_, i) =>
            `2025-06-10 10:00:0${i},000 1 MainThread aiwhisperer.server - ERROR - Failed to handle message for session ${session}: ConnectionError timeout`,
        ),
        '2025-06-10 10:00:07,000 1 MainThread aiwhisperer.server - ERROR - two',
        'Traceback (most recent call last):',
        'ValueError: boom',
        '',
      ].join('\n'),
    );
    const store = join(dir, 'twice.duckdb');
    const withCommentary = (...args: string[]) => spawnSync(process.execPath, [bin, 'ingest', ...args], { encoding: 'utf8' });
    expect(withCommentary(path, '--store', store).status).toBe(0);
    const snapshot = async () => {
      const s = await openStore(store, { readOnly: true });
      try {
        return (await s.queryEvents({})).map((e) => `${e.event_id} ${e.timestamp} ${e.source} ${e.event_summary}`).sort();
      } finally {
        await s.close();
      }
    };
    const first = await snapshot();
    const comments = first.filter((l) => l.includes(' debbie_comment '));
    expect(comments.length).toBeGreaterThan(0);
    expect(comments.every((l) => l.split(' ')[1]!.startsWith('2025-06-10T10:00:'))).toBe(true); // the log's time, not today
    expect(first.filter((l) => !l.includes(' debbie_comment '))).toHaveLength(8);
    expect(withCommentary(path, '--store', store).status).toBe(0);
    expect(await snapshot()).toEqual(first);
  });
  it('promise: a log in a format Debbie does not know (nginx access log) is not passed off as read: exit 1 with the first failure and how to name the format', async () => {
    const path = join(dir, 'access.log');
    writeFileSync(
      path,
      '127.0.0.1 - - [10/Jun/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0"\n127.0.0.1 - - [10/Jun/2025:10:00:01 +0000] "GET /x HTTP/1.1" 404 153 "-" "curl/8.5.0"\n',
    );
    const store = join(dir, 'access.duckdb');
    const guessed = ingest(path, '--store', store);
    expect(guessed.status).toBe(1);
    expect(guessed.stderr).toMatch(/access\.log: nothing in it could be read as python-log \(line 1: does not match the format\).*--log-format/);
    // A Flask log (its default handler's format) is recognised without being named.
    const flask = join(dir, 'flask.log');
    writeFileSync(flask, '[2025-06-10 10:00:00,000] INFO in app: started\n[2025-06-10 10:00:01,000] ERROR in app: boom\n');
    const named = ingest(flask, '--store', store, '--format', 'json');
    expect(named.status, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)[0]).toMatchObject({ format: 'python-log', events: 2, unparseable: 0 });
  });
});
