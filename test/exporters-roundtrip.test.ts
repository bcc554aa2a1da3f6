import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochMicros, type DebbieEvent } from '@debbie/model';
import { createDestination, exportEvents } from '@debbie/exporters';
import { LocalElasticsearchServer, LocalSplunkHecServer } from '../packages/exporters/src/testing/index.js';
import { runScenario } from '@debbie/aiwhisperer-sim';
import { aiWhispererSession } from './exporters-session.js';

// Every format round-trips a realistic session, read back by a reader that is not ours:
// python3's json and csv modules, DuckDB for Parquet, the local ES/HEC servers' parsed bodies.

// DuckDB is a dev dependency of @debbie/exporters, not of the workspace root: resolve it from there.
const duckdbPath = createRequire(new URL('../packages/exporters/package.json', import.meta.url)).resolve('@duckdb/node-api');
const { DuckDBInstance } = (await import(pathToFileURL(duckdbPath).href)) as typeof import('@duckdb/node-api');

let session: DebbieEvent[] = [];
let byId = new Map<string, DebbieEvent>();
let dir: string;

/** The fields compared for every format. */
interface KeyFields {
  event_id: string;
  micros: number;
  event_summary: string;
  details: unknown;
  tags: string[];
  duration_ms: number | null;
  session_id: string | null;
  level: string;
}

function expectSame(rows: KeyFields[]): void {
  expect(rows).toHaveLength(session.length);
  expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(byId.keys()));
  for (const row of rows) {
    const e = byId.get(row.event_id)!;
    expect(row).toEqual({
      event_id: e.event_id,
      micros: epochMicros(e.timestamp),
      event_summary: e.event_summary,
      details: e.details,
      tags: e.tags,
      duration_ms: e.duration_ms,
      session_id: e.session_id,
      level: e.level,
    });
  }
}

const PY_READER = String.raw`
import csv, json, sys
from datetime import datetime, timezone
fmt, path = sys.argv[1], sys.argv[2]
def micros(ts):
    d = datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond
def key(e, nested):
    get = (lambda v: json.loads(v) if v not in ('', None) else None) if not nested else (lambda v: v)
    dur = e['duration_ms']
    return {'event_id': e['event_id'], 'micros': micros(e['timestamp']), 'event_summary': e['event_summary'],
            'details': get(e['details']), 'tags': get(e['tags']), 'duration_ms': (float(dur) if dur not in ('', None) else None),
            'session_id': e['session_id'] or None, 'level': e['level']}
if fmt == 'csv':
    rows = [key(r, False) for r in csv.DictReader(open(path, newline='', encoding='utf-8'))]
elif fmt == 'json':
    rows = [key(r, True) for r in json.load(open(path, encoding='utf-8'))]
else:
    rows = [key(json.loads(l), True) for l in open(path, encoding='utf-8') if l.strip()]
print(json.dumps(rows))
`;

function readWithPython(format: 'csv' | 'json' | 'jsonl', path: string): KeyFields[] {
  const script = join(dir, 'reader.py');
  writeFileSync(script, PY_READER);
  return JSON.parse(execFileSync('/usr/bin/python3', [script, format, path], { encoding: 'utf8' })) as KeyFields[];
}

async function batches(): Promise<AsyncIterable<DebbieEvent[]>> {
  // The shape EventReader.streamEvents yields: pages of events.
  return (async function* () {
    for (let i = 0; i < session.length; i += 7) yield session.slice(i, i + 7);
  })();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-roundtrip-'));
});

// Two sessions: the simulator's continuation-stall run (what the SDK really emits), and a
// hand-built one that fills every field with text hostile to flat formats.
const SESSIONS: [string, () => Promise<DebbieEvent[]>][] = [
  ["the simulator's continuation-stall session", async () => (await runScenario('continuation-stall', { seed: 4, jitter: 0 })).events],
  ['a hand-built session with every field populated', async () => aiWhispererSession()],
];

describe.each(SESSIONS)('export round trips of %s', (_name, load) => {
  beforeAll(async () => {
    session = await load();
    byId = new Map(session.map((e) => [e.event_id, e]));
    expect(session.length).toBeGreaterThan(10);
    expect(byId.size).toBe(session.length);
  });

  for (const format of ['json', 'jsonl', 'csv'] as const) {
    it(`${format}: python3 reads back every event with its key fields`, async () => {
      const path = join(dir, `session.${format}`);
      const summary = await exportEvents(await batches(), createDestination({ format, output: path }));
      expect(summary.written).toBe(session.length);
      expectSame(readWithPython(format, path));
    });
  }

  it('parquet: DuckDB reads back every event with typed columns', async () => {
    const path = join(dir, 'session.parquet');
    await exportEvents(await batches(), createDestination({ format: 'parquet', output: path }));
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (
      await connection.runAndReadAll(
        `SELECT event_id, epoch_us(timestamp)::BIGINT AS micros, event_summary, details, tags, duration_ms, session_id, level FROM read_parquet('${path}')`,
      )
    ).getRowObjectsJson() as Record<string, unknown>[];
    connection.closeSync();
    expectSame(rows.map((r) => ({ ...r, micros: Number(r.micros), details: JSON.parse(r.details as string), tags: r.tags as string[] }) as KeyFields));
  });

  describe('servers', () => {
    let es: LocalElasticsearchServer;
    let hec: LocalSplunkHecServer;
    beforeAll(async () => {
      es = await LocalElasticsearchServer.start({ apiKeys: ['c2VjcmV0LWtleQ=='] });
      hec = await LocalSplunkHecServer.start({ tokens: { 'hec-token': { allowedIndexes: ['main', 'debbie'] } } });
    });
    afterAll(async () => {
      await es.stop();
      await hec.stop();
    });

    it('elasticsearch: the indexed ECS documents carry every event', async () => {
      const summary = await exportEvents(
        await batches(),
        createDestination({ format: 'elasticsearch', url: es.url, token: 'c2VjcmV0LWtleQ==', index: 'logs-debbie-test' }),
      );
      expect(summary).toMatchObject({ written: session.length, rejected: 0 });
      const docs = es.documents.get('logs-debbie-test')!.map((d) => d._source as Record<string, any>);
      expectSame(
        docs.map((d) => ({
          event_id: d.event.id,
          micros: epochMicros(d['@timestamp']),
          event_summary: d.message,
          details: d.debbie?.details === undefined ? {} : JSON.parse(d.debbie.details),
          tags: d.tags ?? [],
          duration_ms: d.event.duration === undefined ? null : d.event.duration / 1e6,
          session_id: d.labels?.session_id ?? null,
          level: String(d.log.level).toUpperCase(),
        })),
      );
    });

    it('splunk: the indexed HEC events carry every event', async () => {
      const summary = await exportEvents(await batches(), createDestination({ format: 'splunk', url: hec.url, token: 'hec-token', index: 'debbie' }));
      expect(summary).toMatchObject({ written: session.length, rejected: 0 });
      expectSame(
        hec.events.map((h) => {
          const e = h.event as DebbieEvent;
          expect(Math.round(h.time! * 1e6)).toBe(epochMicros(e.timestamp));
          return {
            event_id: e.event_id,
            micros: epochMicros(e.timestamp),
            event_summary: e.event_summary,
            details: e.details,
            tags: e.tags,
            duration_ms: e.duration_ms,
            session_id: e.session_id,
            level: e.level,
          };
        }),
      );
    });
  });
});
