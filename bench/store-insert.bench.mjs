// The embedded store's write path, CPU per stored row (process CPU: the main thread and DuckDB's
// threads), against the path it replaced, measured in the same run on the same demo-shaped events
// (storeScale.gen.mjs), each round into a fresh store file, commits of COMMIT rows as ingest makes:
//  - baseline (the previous path, rebuilt here): rows encoded as ONE text per 2,048-row slice
//    (fields joined by \x01, rows by \x02), each commit BEGIN, per slice an id check and an
//    INSERT that splits every row into a list and picks its 24 fields, COMMIT;
//  - the store's EventStore.append: one text per column, one INSERT per commit, rows already
//    stored left out by one (id, time) look-up (none when nothing is stored in the commit's range).
// Three cases: new events in time order (a file ingested once), the same events again (re-ingest:
// every row a duplicate), and new events shuffled (a collector's commits overlap in time).
// Default 50,000 events; `node bench/store-insert.bench.mjs --events 200000`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@debbie/store';
import { DuckDBInstance } from '@duckdb/node-api';
import { demoEvents } from './storeScale.gen.mjs';
import { mainThreadCpuSeconds as threadCpu } from './threadCpu.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const storeDist = join(here, '..', 'packages/store/dist');
const { toStoredRow } = await import(join(storeDist, 'rows.js'));
const { EVENT_COLUMNS } = await import(join(storeDist, 'schema.js'));
const argIndex = process.argv.indexOf('--events');
const EVENTS = Number(argIndex > 0 ? process.argv[argIndex + 1] : (process.env.STORE_INSERT_EVENTS ?? 50_000));
const COMMIT = 16_384;
const SLICE = 2048;
const ROUNDS = 3; // alternating, the median reported
const dir = mkdtempSync(join(tmpdir(), 'debbie-store-insert-'));

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** CPU seconds of the main (JS) thread alone, or NaN where /proc is missing. */
const mainThreadCpuSeconds = () => threadCpu() ?? Number.NaN;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- the previous path (batchText.ts / EventStore.ts before the column texts) ----------------
const ESC = '\x03';
const NEEDS_ESCAPE = /[\x00-\x03]/;
function pushRow(row, cells) {
  let plain = true;
  for (let c = 0; c < EVENT_COLUMNS.length; c++) {
    const value = row[c];
    let cell;
    if (value === null || value === undefined) cell = '';
    else {
      const kind = EVENT_COLUMNS[c].kind;
      if (kind === 'timestamp') cell = String(value);
      else if (kind === 'double') cell = Object.is(value, -0) ? '-0' : String(value);
      else if (kind === 'text_list') cell = JSON.stringify(value);
      else if (kind === 'json') cell = value;
      else if (value !== '' && !NEEDS_ESCAPE.test(value)) cell = value;
      else {
        cell = value === '' ? ESC : ESC + JSON.stringify(value);
        plain = false;
      }
    }
    cells.push(c === 0 && cells.length > 0 ? `\x02${cell}` : cell);
  }
  return plain;
}
function decodeField(f, kind, escaped) {
  if (kind === 'timestamp') return `make_timestamp(CAST(${f} AS BIGINT))`;
  if (kind === 'double') return `CAST(nullif(${f}, '') AS DOUBLE)`;
  if (kind === 'text_list') return `CASE WHEN ${f} = '[]' THEN CAST([] AS VARCHAR[]) ELSE from_json(${f}, '["VARCHAR"]') END`;
  if (kind === 'text' && escaped)
    return `CASE WHEN ${f} = '' THEN NULL WHEN NOT starts_with(${f}, chr(3)) THEN ${f} WHEN ${f} = chr(3) THEN '' ELSE json_extract_string(${f}[2:], '$') END`;
  return `nullif(${f}, '')`;
}
const fields = (escaped) => EVENT_COLUMNS.map((c, i) => `${decodeField(`f[${i + 1}]`, c.kind, escaped)} AS "${c.name}"`).join(', ');
const OLD_INSERT = (escaped) => `INSERT INTO events SELECT * EXCLUDE (ord) FROM (
  SELECT ${fields(escaped)}, ord FROM (SELECT string_split(line, chr(1)) AS f, ord
    FROM (SELECT unnest(lines) AS line, generate_subscripts(lines, 1) AS ord FROM (SELECT string_split($1, chr(2)) AS lines)))) b
  WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e."timestamp" BETWEEN make_timestamp(CAST($2 AS BIGINT)) AND make_timestamp(CAST($3 AS BIGINT))
    AND e.event_id = b.event_id AND e."timestamp" = b."timestamp") ORDER BY ord`;
const OLD_INSERT_NEW = (escaped) =>
  `INSERT INTO events SELECT ${fields(escaped)} FROM (SELECT string_split(line, chr(1)) AS f FROM (SELECT unnest(string_split($1, chr(2))) AS line))`;
const OLD_IDS = `SELECT count(*) FROM events WHERE "timestamp" BETWEEN make_timestamp(CAST($1 AS BIGINT)) AND make_timestamp(CAST($2 AS BIGINT))
  AND event_id IN (SELECT unnest(string_split($3, chr(1))))`;

/** The previous path on its own connection to the store file; `append` commits one call. */
async function oldWriter(path) {
  await (await openStore(path)).close(); // the store's schema
  const instance = await DuckDBInstance.create(path, { wal_autocheckpoint: '1GB', threads: '1' }); // as openStore configures it
  const conn = await instance.connect();
  const prepared = new Map();
  const statement = async (sql) => {
    if (!prepared.has(sql)) prepared.set(sql, await conn.prepare(sql));
    return prepared.get(sql);
  };
  let sinceCheckpoint = 0;
  return {
    async append(events) {
      const seen = new Set();
      await conn.run('BEGIN TRANSACTION');
      for (let start = 0; start < events.length; start += SLICE) {
        const cells = [];
        const ids = [];
        let plain = true;
        let minUs = Number.POSITIVE_INFINITY;
        let maxUs = Number.NEGATIVE_INFINITY;
        for (const event of events.slice(start, start + SLICE)) {
          const row = toStoredRow(event);
          if (seen.has(event.event_id)) continue;
          seen.add(event.event_id);
          const us = Number(row[0]);
          if (us < minUs) minUs = us;
          if (us > maxUs) maxUs = us;
          if (!pushRow(row, cells)) plain = false;
          ids.push(event.event_id);
        }
        const check = await statement(OLD_IDS);
        check.bind([minUs, maxUs, ids.join('\x01')]);
        const fresh = Number((await check.runAndReadAll()).getRows()[0][0]) === 0;
        const insert = await statement(fresh ? OLD_INSERT_NEW(!plain) : OLD_INSERT(!plain));
        insert.bind(fresh ? [cells.join('\x01')] : [cells.join('\x01'), minUs, maxUs]);
        sinceCheckpoint += Number((await insert.run()).rowsChanged);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await conn.run('COMMIT');
      if (sinceCheckpoint >= 100_000) {
        sinceCheckpoint = 0;
        await conn.run('CHECKPOINT');
      }
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

// ---- events -----------------------------------------------------------------------------------
const base = demoEvents(join(here, '..', 'packages/cli/dist/bin.js'), dir);
const suffix = (v, k) => (v === null || v === undefined ? v : `${v}-${k}`);
const events = [];
for (let k = 0; events.length < EVENTS; k++) {
  for (const e of base) {
    if (events.length >= EVENTS) break;
    const t = new Date(Date.parse(e.timestamp) + k * 600_000).toISOString().replace(/Z$/, `${e.timestamp.slice(23, 26)}Z`);
    events.push({ ...e, timestamp: t, event_id: suffix(e.event_id, k), session_id: suffix(e.session_id, k), parent_id: suffix(e.parent_id, k) });
  }
}
const shuffled = [...events];
for (let i = shuffled.length - 1; i > 0; i--) {
  const j = (i * 7919 + 13) % (i + 1); // deterministic
  [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
}

/** CPU (all threads and main) of committing `list` in COMMIT-row calls through `store`. */
async function commitAll(store, list) {
  const c0 = cpuSeconds();
  const m0 = mainThreadCpuSeconds();
  for (let start = 0; start < list.length; start += COMMIT) await store.append(list.slice(start, start + COMMIT));
  return { cpu: cpuSeconds() - c0, main: mainThreadCpuSeconds() - m0 };
}

const cases = { 'new, in time order': [], 're-ingest (all stored)': [], 'new, shuffled in time': [] };
const results = { old: structuredClone(cases), store: structuredClone(cases) };
for (let round = 0; round < ROUNDS; round++) {
  for (const path of ['old', 'store']) {
    const file = join(dir, `${path}-${round}.duckdb`);
    const open = () => (path === 'old' ? oldWriter(file) : openStore(file));
    let store = await open();
    results[path]['new, in time order'].push(await commitAll(store, events));
    results[path]['re-ingest (all stored)'].push(await commitAll(store, events));
    await store.close();
    rmSync(file, { force: true });
    store = await open();
    results[path]['new, shuffled in time'].push(await commitAll(store, shuffled));
    await store.close();
    const check = await openStore(file, { readOnly: true }).catch(() => undefined);
    if (check) {
      const n = await check.countEvents({});
      await check.close();
      if (n !== EVENTS) throw new Error(`${path}: ${n} rows stored, expected ${EVENTS}`);
    }
    rmSync(file, { force: true });
  }
}

const us = (s) => ((s / EVENTS) * 1e6).toFixed(2);
console.log(
  `store insert, ${EVENTS.toLocaleString('en-US')} demo-shaped events in ${COMMIT.toLocaleString('en-US')}-row commits (median of ${ROUNDS}; µs CPU per row, all threads / main thread)`,
);
console.log(`${'case'.padEnd(26)} ${'previous path'.padStart(16)} ${'store now'.padStart(16)}  ratio (CPU, now/previous)`);
for (const name of Object.keys(cases)) {
  const old = { cpu: median(results.old[name].map((r) => r.cpu)), main: median(results.old[name].map((r) => r.main)) };
  const now = { cpu: median(results.store[name].map((r) => r.cpu)), main: median(results.store[name].map((r) => r.main)) };
  console.log(
    `${name.padEnd(26)} ${`${us(old.cpu)} / ${us(old.main)}`.padStart(16)} ${`${us(now.cpu)} / ${us(now.main)}`.padStart(16)}  ${(now.cpu / old.cpu).toFixed(2)}×`,
  );
}
if (process.env.BENCH_RAW) console.log(JSON.stringify(results));
rmSync(dir, { recursive: true, force: true });
