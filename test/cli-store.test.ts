import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, formatDebbieLine, type DebbieEvent, type SessionSummary } from '@debbie/model';
import { openStore } from '@debbie/store';
import { startCollector } from '@debbie/collector';
import { createPipeline } from '@debbie/pipeline';

// `debbie sessions` and `debbie events` as the real binary (build first: pnpm exec tsc -b packages/cli),
// against a temp store filled through the store's own API.

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function debbie(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, DEBBIE_TOKEN: '' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const T0 = Date.UTC(2025, 4, 29, 10, 15, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString().replace('Z', '000Z');
const S1 = '3f2c8a9e-1111-4aaa-8bbb-000000000001';
const S2 = '3f2c8a9e-2222-4aaa-8bbb-000000000002';
const events: DebbieEvent[] = [
  createEvent({
    timestamp: at(0),
    source: 'websocket',
    event_summary: 'Received sendUserMessage',
    session_id: S1,
    correlation_id: 'turn-1',
    event_id: 'a1',
    level: 'DEBUG',
  }),
  createEvent({
    timestamp: at(5),
    source: 'agent',
    event_summary: 'invoke_agent Patricia',
    session_id: S1,
    agent_id: 'p',
    correlation_id: 'turn-1',
    event_id: 'a2',
    kind: 'span',
    duration_ms: 4000,
    tags: ['turn'],
  }),
  createEvent({
    timestamp: at(10),
    source: 'tool',
    component: 'list_rfcs',
    event_summary: 'Tool list_rfcs failed',
    session_id: S1,
    agent_id: 'p',
    correlation_id: 'turn-1',
    parent_id: 'a2',
    event_id: 'a3',
    level: 'ERROR',
    details: { tool: 'list_rfcs', api_key: 'sk-or-v1-abcdefabcdefabcdef0123' },
  }),
  createEvent({
    timestamp: at(20),
    source: 'session',
    event_summary: 'CONTINUATION DECISION: False',
    session_id: S1,
    agent_id: 'p',
    correlation_id: 'turn-1',
    event_id: 'a4',
    level: 'WARNING',
    tags: ['continuation'],
  }),
  createEvent({
    timestamp: at(60_000),
    source: 'agent',
    event_summary: 'invoke_agent Debbie',
    session_id: S2,
    agent_id: 'd',
    correlation_id: 'turn-9',
    event_id: 'b1',
  }),
];

let dir: string;
let storePath: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-cli-store-'));
  storePath = join(dir, 'runs', 'debbie.duckdb');
  // Written the way every command writes: through the one pipeline (redaction there).
  const pipeline = createPipeline({ store: await openStore(storePath) });
  await pipeline.writeBatch(events);
  await pipeline.shutdown();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('debbie sessions', () => {
  it('prints a table of sessions', async () => {
    const r = await debbie(['sessions', '--store', 'runs/debbie.duckdb'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SESSION\s+LABEL\s+STARTED \(UTC\)\s+DURATION\s+EVENTS\s+ERRORS\s+AGENTS\s+SOURCES$/);
    expect(lines[1]).toContain(S2); // newest first
    expect(lines[2]).toMatch(new RegExp(`^${S1}\\s+\\S.*\\s+2025-05-29 10:15:00\\s+4\\.0s\\s+4\\s+1\\s+p\\s+agent:1 tool:1 session:1 websocket:1$`));
  });

  it('prints one JSON array with --format json', async () => {
    const r = await debbie(['sessions', '--store', storePath, '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const sessions = JSON.parse(r.stdout) as SessionSummary[];
    // Newest first.
    expect(sessions.map((s) => [s.session_id, s.event_count, s.error_count, s.agents])).toEqual([
      [S2, 1, 0, ['d']],
      [S1, 4, 1, ['p']],
    ]);
  });

  it('pages with --limit and --offset, newest first, and says when older sessions remain', async () => {
    const first = await debbie(['sessions', '--store', storePath, '--format', 'json', '--limit', '1'], dir);
    expect(first.code).toBe(0);
    expect((JSON.parse(first.stdout) as SessionSummary[]).map((s) => s.session_id)).toEqual([S2]);
    expect(first.stderr).toContain('--offset 1');
    const next = await debbie(['sessions', '--store', storePath, '--format', 'json', '--limit', '1', '--offset', '1'], dir);
    expect((JSON.parse(next.stdout) as SessionSummary[]).map((s) => s.session_id)).toEqual([S1]);
    expect(next.stderr).toBe('');
    const bad = await debbie(['sessions', '--store', storePath, '--limit', '-3'], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--limit');
  });

  it('names the missing store and suggests debbie demo', async () => {
    const r = await debbie(['sessions'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, '.debbie', 'debbie.duckdb'));
    expect(r.stderr).toContain('debbie demo');
  });

  it('says what a file that is not a store is', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not a database\n'.repeat(300));
    const r = await debbie(['sessions', '--store', 'notes.txt'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a DuckDB database file');
  });

  it('tells the user to use --url when a collector holds the store', async () => {
    const busy = join(dir, 'busy.duckdb');
    const store = await openStore(busy);
    try {
      const r = await debbie(['sessions', '--store', busy], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('locked by another process');
      expect(r.stderr).toContain('--url');
    } finally {
      await store.close();
    }
  });

  it('rejects an unknown --format', async () => {
    const r = await debbie(['sessions', '--store', storePath, '--format', 'yaml'], dir);
    expect(r.code).toBe(2); // a usage error
    expect(r.stderr).toContain('--format: unknown format "yaml"');
  });
});

describe('debbie events', () => {
  const ids = (r: Run) => (JSON.parse(r.stdout) as DebbieEvent[]).map((e) => e.event_id);

  it('prints the session as short lines (#id, no session id repeated), details with --verbose', async () => {
    const r = await debbie(['events', '--session', S1, '--store', storePath], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`${formatDebbieLine(events[0]!).split(' | ')[0]} #${events[0]!.event_id}`);
    expect(r.stdout).not.toContain(S1);
    const verbose = await debbie(['events', '--session', S1, '--store', storePath, '--verbose'], dir);
    expect(verbose.stdout).toContain('"api_key":"[REDACTED]"');
    expect(verbose.stdout).not.toContain('sk-or-v1');
    expect(verbose.stdout).not.toContain(S1);
  });

  it('prints one JSON array of complete events', async () => {
    const r = await debbie(['events', '--session', S1, '--store', storePath, '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as DebbieEvent[];
    expect(got).toHaveLength(4);
    expect(got[1]).toEqual(events[1]);
    const missing = await debbie(['events', '--session', 'nobody', '--store', storePath, '--format', 'json'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--session: no session "nobody"');
  });

  // Each flag's mapping is unit-tested in packages/cli/src/flags.test.ts; here a few
  // runs show the flags reach the query (comma lists, repeats, text, limit).
  it('applies the filter flags', async () => {
    const base = ['events', '--session', S1, '--store', storePath, '--format', 'json'];
    const cases: [string[], string[]][] = [
      [
        ['--source', 'tool,session', '--min-level', 'WARNING'],
        ['a3', 'a4'],
      ],
      [['--level', 'DEBUG', '--level', 'error', '--since', at(5)], ['a3']],
      [['--grep', 'continuation decision', '--tag', 'continuation', '--agent', 'p'], ['a4']],
      [
        ['--limit', '2'],
        ['a1', 'a2'],
      ],
    ];
    for (const [flags, expected] of cases) {
      const r = await debbie([...base, ...flags], dir);
      expect({ flags, code: r.code, ids: r.code === 0 ? ids(r) : r.stderr }).toEqual({ flags, code: 0, ids: expected });
    }
  });

  it('reads a correlation group without --session', async () => {
    const r = await debbie(['events', '--correlation', 'turn-9', '--store', storePath, '--format', 'json'], dir);
    expect(r.code).toBe(0);
    expect(ids(r)).toEqual(['b1']);
  });

  it('searches every session without --session, with the same filters and --limit', async () => {
    const all = await debbie(['events', '--store', storePath, '--format', 'json'], dir);
    expect(all.code).toBe(0);
    const every = ids(all);
    expect(every.length).toBeGreaterThan(1);
    const one = await debbie(['events', '--store', storePath, '--format', 'json', '--limit', '1'], dir);
    expect(ids(one)).toEqual(every.slice(0, 1));
    const filtered = await debbie(['events', '--store', storePath, '--format', 'json', '--correlation', 'turn-9'], dir);
    expect(ids(filtered)).toEqual(['b1']);
  });

  it('explains a bad filter value', async () => {
    const level = await debbie(['events', '--session', S1, '--store', storePath, '--level', 'LOUD'], dir);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('--level: unknown level "LOUD"');
    const since = await debbie(['events', '--session', S1, '--store', storePath, '--since', 'yesterday'], dir);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since: "yesterday" is not an ISO-8601 timestamp');
  });

  it('reads the same events from a running collector with --url', async () => {
    const live = await openStore(join(dir, 'live.duckdb'));
    await createPipeline({ store: live }).writeBatch(events); // the collector below owns and closes the store
    const collector = await startCollector({ store: live, port: 0 });
    try {
      const sessions = await debbie(['sessions', '--url', collector.url, '--format', 'json'], dir);
      expect(sessions.stderr).toBe('');
      expect((JSON.parse(sessions.stdout) as SessionSummary[]).map((s) => s.session_id)).toEqual([S2, S1]); // newest first, paged by the collector
      const r = await debbie(['events', '--session', S1, '--url', collector.url, '--source', 'tool', '--format', 'json'], dir);
      expect(r.stderr).toBe('');
      expect(ids(r)).toEqual(['a3']);
    } finally {
      await collector.close();
    }
  });
});
