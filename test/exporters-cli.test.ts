import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DebbieEvent } from '@debbie/model';
import { openStore } from '@debbie/store';
import { startCollector } from '@debbie/collector';
import { LocalElasticsearchServer, LocalSplunkHecServer } from '../packages/exporters/src/testing/index.js';
import { aiWhispererSession } from './exporters-session.js';

// `debbie export` as the real binary (build first: pnpm exec tsc -b packages/cli), reading a temp
// store filled through the store's own API, writing files read back by python3 and DuckDB, and
// sending to the strict local Elasticsearch and Splunk HEC servers.

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const duckdbPath = createRequire(new URL('../packages/exporters/package.json', import.meta.url)).resolve('@duckdb/node-api');
const { DuckDBInstance } = (await import(pathToFileURL(duckdbPath).href)) as typeof import('@duckdb/node-api');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function debbie(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'export', '--store', storePath, ...args],
      { cwd: dir, env: { ...process.env, DEBBIE_TOKEN: '', DEBBIE_EXPORT_TOKEN: '', ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const session = aiWhispererSession();
const SESSION = session[0]!.session_id!;
let dir: string;
let storePath: string;
let stored: DebbieEvent[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-cli-export-'));
  storePath = join(dir, 'debbie.duckdb');
  const store = await openStore(storePath);
  await store.append([...session, { ...session[0]!, event_id: 'other-session', session_id: 'another' }]);
  stored = await store.queryEvents({ sessionId: SESSION });
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('debbie export', () => {
  it('streams a session as JSONL to stdout, every stored event, summary on stderr', async () => {
    const r = await debbie(['--session', SESSION, '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as DebbieEvent);
    expect(lines).toEqual(stored);
    expect(r.stderr).toBe(`Exported ${session.length} events to stdout (${(Buffer.byteLength(r.stdout) / 1e3).toFixed(1)} kB).\n`);
  });

  it('writes CSV that python3 reads back, with filter flags applied', async () => {
    const r = await debbie(['--session', SESSION, '--min-level', 'WARNING', '--format', 'csv', '--out', 'warn.csv', '--quiet']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const count = execFileSync(
      '/usr/bin/python3',
      ['-c', 'import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1], newline="")))))', join(dir, 'warn.csv')],
      { encoding: 'utf8' },
    );
    expect(Number(count)).toBe(stored.filter((e) => ['WARNING', 'ERROR', 'CRITICAL'].includes(e.level)).length);
  });

  it('writes Parquet of --all that DuckDB reads back', async () => {
    const r = await debbie(['--all', '--format', 'parquet', '--out', 'all.parquet']);
    expect(r.code).toBe(0);
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await connection.runAndReadAll(`SELECT session_id, count(*)::INT AS n FROM read_parquet('${join(dir, 'all.parquet')}') GROUP BY 1 ORDER BY 1`)
    ).getRowObjectsJson();
    connection.closeSync();
    expect(rows).toEqual(
      [
        { session_id: SESSION, n: session.length },
        { session_id: 'another', n: 1 },
      ].sort((a, b) => a.session_id.localeCompare(b.session_id)),
    );
  });

  it('sends to Elasticsearch, and exits 1 naming the dead-letter file when documents are refused', async () => {
    const es = await LocalElasticsearchServer.start({ apiKeys: ['a2V5'] });
    try {
      const ok = await debbie(['--session', SESSION, '--format', 'elasticsearch', '--url', es.url, '--index', 'logs-debbie-cli'], {
        DEBBIE_EXPORT_TOKEN: 'a2V5',
      });
      expect(ok.code).toBe(0);
      expect(es.count).toBe(session.length);
      // Another cluster where error.stack_trace is already mapped as an object: the one event with a stack trace conflicts.
      const conflicting = await LocalElasticsearchServer.start();
      try {
        const pre = await fetch(`${conflicting.url}/_bulk`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-ndjson' },
          body: '{"create":{"_index":"logs-debbie-default","_id":"seed"}}\n{"@timestamp":"2025-01-01T00:00:00Z","error":{"stack_trace":{"lines":3}}}\n',
        });
        expect(pre.status).toBe(200);
        const r = await debbie(['--session', SESSION, '--format', 'elasticsearch', '--url', conflicting.url, '--dead-letter', 'dead.jsonl']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          `1 events were refused by ${conflicting.url}/_bulk (index logs-debbie-default); they are in ${join(dir, 'dead.jsonl')} with the reasons.`,
        );
        const dead = JSON.parse(readFileSync(join(dir, 'dead.jsonl'), 'utf8')) as { status: number; reason: string };
        expect(dead.status).toBe(400);
        expect(dead.reason).toMatch(/object mapping for \[error\.stack_trace\] tried to parse field \[stack_trace\] as object, but found a concrete value/);
      } finally {
        await conflicting.stop();
      }
    } finally {
      await es.stop();
    }
  });

  it('sends to Splunk HEC and explains a wrong token', async () => {
    const hec = await LocalSplunkHecServer.start({ tokens: { good: { allowedIndexes: ['main'] } } });
    try {
      const ok = await debbie(['--session', SESSION, '--format', 'splunk', '--url', hec.url, '--token', 'good']);
      expect(ok.code).toBe(0);
      expect(hec.events).toHaveLength(session.length);
      const bad = await debbie(['--session', SESSION, '--format', 'splunk', '--url', hec.url, '--token', 'nope']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/"Invalid token" \(code 4\) — the HEC token is not valid: check --to-token/);
    } finally {
      await hec.stop();
    }
  });

  it('reads from a running collector with --url while --to names the destination (old spelling noted)', async () => {
    const live = await openStore(join(dir, 'live.duckdb'));
    await live.append(session);
    await live.forceFlush();
    const collector = await startCollector({ store: live, port: 0 });
    const hec = await LocalSplunkHecServer.start({ tokens: { t: {} } });
    try {
      const r = await debbie(['--session', SESSION, '--url', collector.url, '--format', 'splunk', '--to', hec.url, '--to-token', 't', '--quiet']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(hec.events.map((e) => (e.event as DebbieEvent).event_id).sort()).toEqual(session.map((e) => e.event_id).sort());
      const old = await debbie(['--session', SESSION, '--from-url', collector.url, '--format', 'splunk', '--url', hec.url, '--token', 't', '--quiet']);
      expect(old.code).toBe(0);
      expect(old.stderr).toMatch(/use --to http.* for the destination/);
      expect(old.stderr).toMatch(/--from-url is deprecated: use --url/);
      expect(hec.events.length).toBe(2 * session.length);
    } finally {
      await hec.stop();
      await collector.close();
      await live.close();
    }
  });

  it('refuses unclear requests before reading anything', async () => {
    writeFileSync(join(dir, 'keep.csv'), 'precious');
    const runs = await Promise.all([
      debbie(['--format', 'json']),
      debbie(['--all', '--format', 'xml']),
      debbie(['--all', '--format', 'parquet']),
      debbie(['--all', '--format', 'splunk', '--url', 'http://127.0.0.1:1']),
      debbie(['--all', '--format', 'elasticsearch']),
      debbie(['--session', 'x', '--all', '--format', 'json']),
      debbie(['--all', '--format', 'csv', '--out', 'keep.csv', '--store', join(dir, 'missing.duckdb')]),
    ]);
    // Usage errors exit 2; a store that cannot be read is a failure, 1 (docs/cli.md).
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2, 1]);
    expect(runs[0]!.stderr).toMatch(/give --session ID .* or --all/);
    expect(runs[1]!.stderr).toMatch(/unknown format "xml"; expected one of json, jsonl, csv, parquet, elasticsearch, splunk/);
    expect(runs[2]!.stderr).toMatch(/needs --out FILE/);
    expect(runs[3]!.stderr).toMatch(/needs --to-token/);
    expect(runs[4]!.stderr).toMatch(/needs --to URL/);
    expect(runs[5]!.stderr).toMatch(/exclude each other/);
    // A store that cannot be read leaves an existing output file alone, and the hint names --url.
    expect(runs[6]!.stderr).toMatch(/no store at .*missing\.duckdb.*--url of a running collector/);
    expect(readFileSync(join(dir, 'keep.csv'), 'utf8')).toBe('precious');
    expect(existsSync(join(dir, 'debbie-export-dead-letter.jsonl'))).toBe(false);
  });
});
