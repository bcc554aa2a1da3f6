import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalElasticsearchServer, LocalSplunkHecServer } from '../../packages/exporters/src/testing/index.js';
import { BIN } from './collectProcess.js';

// Promises (issue 13 item 6), through the real `debbie export` against the strict local
// Elasticsearch and Splunk HEC servers on 127.0.0.1:
// - a destination that keeps failing (500, 429, unreachable) loses nothing silently: every event
//   it gave up on is in the dead-letter file with the reason, and the command exits 1;
// - Retry-After is honoured (the retry comes after the wait the server asked for);
// (Late answers — a silent duplicate never reaches Elasticsearch or Splunk — need a request timeout
// shorter than the CLI's 30 s, so they are proved on the destinations themselves: see
// packages/exporters/src/{elasticsearch,splunk}/*Destination.test.ts, "a late answer".)

let dir: string;
let session: string;
const TOKEN = 'fault-hec-token-0123456789';
const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}
function debbie(args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { ...process.env, DEBBIE_TOKEN: '', DEBBIE_EXPORT_TOKEN: '' }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}
const exportTo = (format: string, url: string, extra: string[] = []) =>
  debbie([
    'export',
    '--session',
    session,
    '--store',
    's.duckdb',
    '--format',
    format,
    '--to',
    url,
    ...(format === 'splunk' ? ['--to-token', TOKEN] : []),
    ...extra,
  ]);
const deadLetter = (file: string) =>
  readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { status: number | null; reason: string; document: unknown });
let eventCount = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-fault-export-'));
  const demo = await debbie(['demo', '--scenario', 'healthy', '--store', 's.duckdb', '--format', 'json', '--interventions', 'off']);
  session = JSON.parse(demo.stdout)[0].session_ids[0];
  eventCount = JSON.parse((await debbie(['events', '--session', session, '--store', 's.duckdb', '--format', 'json'])).stdout).length;
  expect(eventCount).toBeGreaterThan(0);
}, 120_000);

describe('fault: failing and slow export destinations', () => {
  it('Splunk answering 500 for good: every event dead-lettered with the reason, exit 1', async () => {
    const hec = await LocalSplunkHecServer.start({ tokens: { [TOKEN]: {} }, failingRequests: 1_000 });
    servers.push(hec);
    const r = await exportTo('splunk', hec.url, ['--dead-letter', 'hec-500.jsonl']);
    expect(r.code).toBe(1);
    expect(hec.count).toBe(0);
    const dead = deadLetter('hec-500.jsonl');
    expect(dead).toHaveLength(eventCount);
    expect(dead[0]!.reason).toMatch(/Splunk HEC answered 500.*gave up after \d+ attempts/);
  }, 120_000);

  it('Splunk throttling with 429 + Retry-After: waits as asked, then delivers everything', async () => {
    const hec = await LocalSplunkHecServer.start({ tokens: { [TOKEN]: {} }, throttledRequests: 1, retryAfterSeconds: 1, maxContentLength: 64 << 20 });
    servers.push(hec);
    const r = await exportTo('splunk', hec.url, ['--dead-letter', 'hec-429.jsonl']);
    expect(r.stderr).not.toMatch(/refused/);
    expect(r.code).toBe(0);
    expect(hec.count).toBe(eventCount);
    expect(hec.statuses[0]).toBe(429);
    expect(r.ms).toBeGreaterThanOrEqual(1000); // the retry waited the second it was asked to (not 250 ms)
    expect(existsSync(join(dir, 'hec-429.jsonl'))).toBe(false);
  }, 120_000);

  it('Elasticsearch unreachable: every event dead-lettered, exit 1', async () => {
    const es = await LocalElasticsearchServer.start();
    const url = es.url;
    await es.stop();
    const r = await exportTo('elasticsearch', url, ['--dead-letter', 'es-gone.jsonl']);
    expect(r.code).toBe(1);
    const dead = deadLetter('es-gone.jsonl');
    expect(dead).toHaveLength(eventCount);
    expect(dead[0]!.reason).toMatch(/cannot reach .*ECONNREFUSED; gave up after \d+ attempts/);
  }, 120_000);

  it('Splunk failing with 500 after indexing: the resend is marked (debbie_resend) and reported, nothing lost', async () => {
    const hec = await LocalSplunkHecServer.start({ tokens: { [TOKEN]: {} }, failAfterIndexRequests: 1, maxContentLength: 64 << 20 });
    servers.push(hec);
    const r = await exportTo('splunk', hec.url, ['--dead-letter', 'hec-ambiguous.jsonl']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\d+ events were sent again after a failure .* may have indexed them anyway; those copies carry the field debbie_resend/);
    const unmarked = hec.events.filter((e) => e.fields?.debbie_resend === undefined);
    const marked = hec.events.filter((e) => e.fields?.debbie_resend !== undefined);
    expect(new Set(unmarked.map((e) => e.fields?.event_id)).size).toBe(eventCount); // every event indexed
    expect(marked.length).toBeGreaterThan(0);
    expect(unmarked.length).toBe(eventCount); // and never twice without the mark
  }, 120_000);
});
