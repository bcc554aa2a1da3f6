import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { READABLE_CASES, SECRET_CASES } from '../../packages/model/src/redact.corpus.js';
import { LocalElasticsearchServer, LocalSplunkHecServer } from '../../packages/exporters/src/testing/index.js';
import { BIN, startCollect, type Collector } from './collectProcess.js';

// Promise (issue 13 item 5): secrets never leave the process unmasked. The whole secret corpus
// (SECRET_CASES, ≥ 100 forms from gitleaks / trufflehog / detect-secrets rules) is sent to a real
// `debbie collect` as OTLP/JSON spans and log records, in span names, span-event names, status
// messages, session ids, correlation ids, tags, attributes and JSON held in strings; then every
// output is searched for every secret: the live stream, the query API, `events` (json, text,
// verbose), `show`, every export format (json, jsonl, csv, parquet, elasticsearch, splunk),
// `analyze` (md, json, html), `timeline`, and `run-script` output. The readable cases (trace ids,
// UUIDs, hashes in paths, usage counts) must still be there.

const exec = promisify(execFile);
const SESSION = 'fault-secrets-session';
let collector: Collector;
let dir: string;
const streamed: string[] = [];
const outputs = new Map<string, string>();

/** The forms a secret could take in an output: as is, JSON-escaped, HTML-escaped, CSV-quoted. */
function variants(secret: string): string[] {
  const probe = secret.length > 48 ? secret.slice(0, 48) : secret;
  const json = JSON.stringify(probe).slice(1, -1);
  const html = probe.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return [...new Set([probe, json, html, probe.replace(/"/g, '""')])];
}

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const now = BigInt(Date.now()) * 1_000_000n;

function otlpTraces() {
  const spans = SECRET_CASES.map((c, i) => ({
    traceId: hex(i + 1, 32),
    spanId: hex(i + 1, 16),
    name: c.text,
    kind: 1,
    startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(now + BigInt(i) * 1_000_000n + 500_000n),
    attributes: [
      attr('session.id', i % 10 === 0 ? `${SESSION}-${c.text}` : SESSION),
      attr('debbie.correlation_id', c.text),
      attr('debbie.component', c.text),
      attr('gen_ai.tool.name', c.text),
      attr('http.request.header.authorization', c.text),
      attr('debbie.details', JSON.stringify({ note: c.text, inner: JSON.stringify({ v: c.text }), readable: READABLE_CASES[i % READABLE_CASES.length] })),
      { key: 'debbie.tags', value: { arrayValue: { values: [{ stringValue: 'fault' }, { stringValue: c.text }] } } },
    ],
    events: [{ timeUnixNano: String(now + BigInt(i) * 1_000_000n + 100n), name: c.text, attributes: [attr('exception.message', c.text)] }],
    status: { code: 2, message: c.text },
  }));
  return { resourceSpans: [{ resource: { attributes: [attr('service.name', 'fault-secrets')] }, scopeSpans: [{ scope: { name: 'fault' }, spans }] }] };
}

function otlpLogs() {
  const logRecords = SECRET_CASES.map((c, i) => ({
    timeUnixNano: String(now + BigInt(i) * 1_000_000n + 700_000n),
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: c.text },
    attributes: [attr('session.id', SESSION), attr('user.password', c.text), attr('debbie.context', JSON.stringify({ env: c.text }))],
  }));
  return { resourceLogs: [{ resource: { attributes: [attr('service.name', 'fault-secrets')] }, scopeLogs: [{ scope: { name: 'fault' }, logRecords }] }] };
}

async function debbie(args: string[]): Promise<string> {
  const r = await exec(process.execPath, [BIN, ...args], { cwd: dir, maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: '1', DEBBIE_TOKEN: '' } }).catch(
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: `${e.stderr}\n(exit ${e.code})` }),
  );
  return `${r.stdout}\n${r.stderr}`;
}

beforeAll(async () => {
  collector = await startCollect(['--no-commentary']);
  dir = collector.dir;
  const ws = new WebSocket(`${collector.stream}?replay=true`);
  ws.on('message', (data) => streamed.push(data.toString()));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  const post = (path: string, body: unknown) =>
    fetch(`${collector.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await post('/v1/traces', otlpTraces())).status).toBe(200);
  expect((await post('/v1/logs', otlpLogs())).status).toBe(200);
  const expected = SECRET_CASES.length * 2;
  const deadline = Date.now() + 30_000;
  let count = 0;
  while (Date.now() < deadline) {
    const sessions = (await (await fetch(`${collector.api}/api/sessions`)).json()) as { session_id: string; event_count: number }[];
    count = sessions.filter((s) => s.session_id.startsWith(SESSION)).reduce((n, s) => n + s.event_count, 0);
    if (count >= expected && streamed.length >= expected) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(count).toBeGreaterThanOrEqual(expected);
  outputs.set('stream (WebSocket)', streamed.join('\n'));
  outputs.set('query API /api/events', await (await fetch(`${collector.api}/api/events?session=${SESSION}&format=ndjson`)).text());
  outputs.set('query API /api/sessions', await (await fetch(`${collector.api}/api/sessions`)).text());
  outputs.set('query API timeline', await (await fetch(`${collector.api}/api/sessions/${SESSION}/timeline`)).text());
  ws.close();
  expect(await collector.stop()).toBe(0);

  const store = ['--store', collector.store];
  outputs.set('events --format json', await debbie(['events', '--session', SESSION, ...store, '--format', 'json']));
  outputs.set('events (text)', await debbie(['events', '--session', SESSION, ...store]));
  outputs.set('events --verbose', await debbie(['events', '--session', SESSION, ...store, '--verbose']));
  outputs.set('sessions', await debbie(['sessions', ...store, '--format', 'json']));
  const first = JSON.parse(outputs.get('events --format json')!.split('\n(exit')[0]!.trim().split('\n\n')[0] ?? '[]')[0] as { event_id: string } | undefined;
  if (first) outputs.set('show', await debbie(['show', first.event_id, ...store]));
  for (const format of ['json', 'jsonl', 'csv']) {
    await debbie(['export', '--session', SESSION, ...store, '--format', format, '--out', join(dir, `out.${format}`)]);
    outputs.set(`export ${format}`, readFileSync(join(dir, `out.${format}`), 'utf8'));
  }
  await debbie(['export', '--session', SESSION, ...store, '--format', 'parquet', '--out', join(dir, 'out.parquet')]);
  const duckdbPath = createRequire(new URL('../../packages/exporters/package.json', import.meta.url)).resolve('@duckdb/node-api');
  const { DuckDBInstance } = (await import(pathToFileURL(duckdbPath).href)) as typeof import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${join(dir, 'out.parquet')}')`)).getRowObjectsJson();
  outputs.set('export parquet (read back by DuckDB)', JSON.stringify(rows));
  conn.closeSync();

  const es = await LocalElasticsearchServer.start();
  const hec = await LocalSplunkHecServer.start({ tokens: { 'hec-token-0000-1111': {} }, maxContentLength: 64 << 20 });
  try {
    await debbie(['export', '--session', SESSION, ...store, '--format', 'elasticsearch', '--to', es.url]);
    outputs.set('export elasticsearch (documents indexed)', JSON.stringify([...es.documents.values()]));
    await debbie(['export', '--session', SESSION, ...store, '--format', 'splunk', '--to', hec.url, '--to-token', 'hec-token-0000-1111']);
    outputs.set('export splunk (events indexed)', JSON.stringify(hec.events));
  } finally {
    await es.stop();
    await hec.stop();
  }
  for (const format of ['md', 'json', 'html']) {
    await debbie(['analyze', '--session', SESSION, ...store, '--format', format, '--out', join(dir, `report.${format}`)]);
    outputs.set(`analyze ${format}`, readFileSync(join(dir, `report.${format}`), 'utf8'));
  }
  await debbie(['timeline', '--session', SESSION, ...store, '--out', join(dir, 'timeline.html')]);
  outputs.set('timeline html', readFileSync(join(dir, 'timeline.html'), 'utf8'));
  writeFileSync(
    join(dir, 'dump.py'),
    'for log in logs:\n    print(log.component, log.action, log.event_summary, log.session_id, log.correlation_id, log.tags, log.details, log.context_snapshot, log.stack_trace)\n',
  );
  outputs.set('run-script output', await debbie(['run-script', 'dump.py', '--session', SESSION, ...store]));
}, 300_000);

afterAll(async () => {
  await collector?.stop().catch(() => undefined);
});

describe('fault: the secret corpus through every output of a real collector', () => {
  it('produced every output, with the events in it', () => {
    expect([...outputs.keys()].length).toBeGreaterThanOrEqual(20);
    for (const [name, text] of outputs) {
      if (name === 'query API /api/sessions' || name === 'sessions') continue;
      expect(text, name).toMatch(/REDACTED|fault/);
    }
    expect(JSON.parse(outputs.get('export json')!).length).toBeGreaterThanOrEqual(SECRET_CASES.length * 2);
    expect(outputs.get('run-script output')).toContain('[REDACTED]');
  });

  it.each(SECRET_CASES.map((c) => [c.rule, c] as const))('%s is masked everywhere', (_rule, c) => {
    const leaks: string[] = [];
    for (const [name, text] of outputs) {
      for (const v of variants(c.secret))
        if (text.includes(v))
          leaks.push(
            `${name}: ${JSON.stringify(v)}${process.env.DEBUG_LEAKS ? ` in …${text.slice(Math.max(0, text.indexOf(v) - 200), text.indexOf(v) + 60)}…` : ''}`,
          );
    }
    expect(leaks).toEqual([]);
  });

  it('keeps the readable cases (trace ids, UUIDs, hashes in paths, counts) readable in the store and exports', () => {
    for (const name of ['events --format json', 'export jsonl', 'export csv', 'query API /api/events']) {
      for (const r of READABLE_CASES)
        expect(outputs.get(name), `${name}: ${r}`).toContain(
          JSON.stringify(r)
            .slice(1, -1)
            .replace(/"/g, name === 'export csv' ? '""' : '"'),
        );
    }
  });
});
