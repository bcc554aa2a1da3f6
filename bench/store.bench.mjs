// Issue 2 figure: store appends, rows/s, against baselines measured in the same run:
//  - JSONL: the same events redacted and appended to a file with fs.createWriteStream;
//  - DuckDB's Appender called value by value (the store's previous write path, and still its
//    fallback): the same redacted rows, 2,048 per slice with a yield between, one flush per 10k;
//  - better-sqlite3 (12.x) inserting the same rows in one transaction per batch, when it can be
//    loaded (it is not a workspace dependency: it compiles from source, ~70 s per fresh install;
//    to include it: `npm_config_nodedir=/usr npm i better-sqlite3@12` in some DIR and run with
//    NODE_PATH=DIR/node_modules).
// DuckDB is measured through the store's two write paths: write() (the non-blocking sink:
// bounded queue, 10k-row batches sent to DuckDB as one text parameter) and append() (awaited),
// plus the longest event-loop stall while writing. Besides wall time and the process's CPU (all
// threads), each path's main-thread CPU is printed (Linux: /proc/self/task/PID/stat, 10 ms ticks):
// DuckDB parses and inserts on its own threads, so the main thread — the one the collector's
// decoding shares — pays only for redaction, validation and encoding.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEvent, DEBBIE_EVENT_FIELDS, epochMicros, isoFromEpochMicros, redactEvent } from '@debbie/model';
import { openStore } from '@debbie/store';
import { DuckDBInstance, DuckDBTimestampValue, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import { mainThreadCpuSeconds as threadCpu } from './threadCpu.mjs';

const ROWS = 50_000;
const ROUNDS = 3; // the median round is reported
const dir = mkdtempSync(join(tmpdir(), 'debbie-store-bench-'));
const SOURCES = ['server', 'agent', 'ai_service', 'tool', 'session', 'websocket'];

// Shaped like the simulator's events: a span every fourth event, ids, tags, small details.
function makeEvents(n, seed) {
  const start = Date.UTC(2025, 4, 29, 10, 0, 0) * 1000;
  const events = new Array(n);
  for (let i = 0; i < n; i++) {
    const span = i % 4 === 0;
    events[i] = createEvent({
      timestamp: isoFromEpochMicros(start + i * 1500),
      source: SOURCES[i % SOURCES.length],
      level: i % 97 === 0 ? 'ERROR' : 'INFO',
      component: 'list_rfcs',
      action: span ? 'tool_execution' : 'stream_chunk',
      event_summary: `event ${seed}-${i} of the turn`,
      event_id: `${seed}-${i}`,
      session_id: `sess-${i % 8}`,
      agent_id: 'p',
      correlation_id: `turn-${i >> 6}`,
      parent_id: span ? null : `${seed}-${i - (i % 4)}`,
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: span ? `b7ad6b71692${String(i).padStart(5, '0')}` : null,
      duration_ms: span ? 12.5 : null,
      kind: span ? 'span' : 'log',
      tags: span ? ['tool'] : [],
      details: { tool_name: 'list_rfcs', count: i % 7, chunk: 'Here are the RFCs in draft' },
      performance_metrics: span ? { duration_ms: 12.5 } : null,
    });
  }
  return events;
}

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
// CPU time of this process, all threads (DuckDB's included): steadier than wall time when other
// processes share the machine.
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** CPU seconds of the main (JS) thread alone, or NaN where /proc is missing. */
const mainThreadCpuSeconds = () => threadCpu() ?? Number.NaN;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Runs fn ROUNDS times; returns the median wall, CPU and main-thread CPU seconds, and the last result. */
async function measure(fn) {
  const walls = [],
    cpus = [],
    mains = [];
  let last;
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = cpuSeconds();
    const m0 = mainThreadCpuSeconds();
    last = await fn();
    cpus.push(cpuSeconds() - c0);
    mains.push(mainThreadCpuSeconds() - m0);
    walls.push(last.s);
  }
  return { ...last, s: median(walls), cpu: median(cpus), main: median(mains) };
}
const rate = (n, s) => Math.round(n / s);
const fmt = (n) => n.toLocaleString('en-US');

async function jsonl(events) {
  const path = join(dir, `events-${Math.random()}.jsonl`);
  const t0 = process.hrtime.bigint();
  const out = createWriteStream(path);
  for (const e of events) {
    if (!out.write(`${JSON.stringify(redactEvent(e))}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return { s: seconds(t0), bytes: statSync(path).size };
}

async function duckdbWrite(events) {
  const path = join(dir, `write-${Math.random()}.duckdb`);
  const store = await openStore(path, { maxQueuedEvents: events.length });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) {
    store.write(events[i]);
    if (i % 5000 === 4999) await new Promise((r) => setImmediate(r)); // a producer that lets the loop run
  }
  await store.forceFlush();
  const s = seconds(t0);
  delay.disable();
  const stats = store.stats();
  await store.close();
  return { s, maxStallMs: delay.max / 1e6, stats, bytes: statSync(path).size };
}

async function duckdbAppend(events) {
  const path = join(dir, `append-${Math.random()}.duckdb`);
  const store = await openStore(path);
  const t0 = process.hrtime.bigint();
  await store.append(events);
  const s = seconds(t0);
  await store.close();
  return { s };
}

const JSON_FIELDS = new Set(['details', 'state_before', 'state_after', 'performance_metrics', 'context_snapshot']);
async function duckdbAppender(events) {
  const path = join(dir, `appender-${Math.random()}.duckdb`);
  await (await openStore(path)).close(); // the store's schema
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < events.length; b += 10_000) {
    const appender = await conn.createAppender('events');
    for (let s = b; s < Math.min(b + 10_000, events.length); s += 2048) {
      if (s > b) await new Promise((r) => setImmediate(r));
      for (const raw of events.slice(s, Math.min(s + 2048, b + 10_000))) {
        const e = redactEvent(raw);
        for (const f of DEBBIE_EVENT_FIELDS) {
          const v = e[f];
          if (v == null) appender.appendNull();
          else if (f === 'timestamp') appender.appendTimestamp(new DuckDBTimestampValue(BigInt(epochMicros(v))));
          else if (f === 'duration_ms') appender.appendDouble(v);
          else if (f === 'tags') {
            if (v.length === 0) appender.appendVarchar('[]');
            else appender.appendList(listValue(v), LIST(VARCHAR));
          } else if (JSON_FIELDS.has(f)) appender.appendVarchar(JSON.stringify(v));
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
    }
    appender.flushSync();
    appender.closeSync();
  }
  const s = seconds(t0);
  conn.closeSync();
  instance.closeSync();
  return { s };
}

function loadBetterSqlite() {
  try {
    return createRequire(import.meta.url)('better-sqlite3');
  } catch {
    return undefined;
  }
}

function sqlite(Database, events) {
  const db = new Database(join(dir, `events-${Math.random()}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE events (${DEBBIE_EVENT_FIELDS.map((f) => `"${f}"`).join(', ')})`);
  const insert = db.prepare(`INSERT INTO events VALUES (${DEBBIE_EVENT_FIELDS.map(() => '?').join(', ')})`);
  const json = new Set(['details', 'state_before', 'state_after', 'performance_metrics', 'context_snapshot', 'tags']);
  const insertBatch = db.transaction((batch) => {
    for (const raw of batch) {
      const e = redactEvent(raw);
      insert.run(
        DEBBIE_EVENT_FIELDS.map((f) => (f === 'timestamp' ? epochMicros(e.timestamp) : json.has(f) ? (e[f] == null ? null : JSON.stringify(e[f])) : e[f])),
      );
    }
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += 10_000) insertBatch(events.slice(i, i + 10_000));
  const s = seconds(t0);
  db.close();
  return { s };
}

try {
  // Warm up every path on a small set (JIT, DuckDB's first-use costs).
  const warm = makeEvents(5000, 'warm');
  await jsonl(warm);
  await duckdbWrite(warm);
  await duckdbAppend(warm);
  await duckdbAppender(warm);
  const Database = loadBetterSqlite();
  if (Database) sqlite(Database, warm);

  const events = makeEvents(ROWS, 'run');
  const j = await measure(() => jsonl(events));
  const old = await measure(() => duckdbAppender(events));
  const w = await measure(() => duckdbWrite(events));
  const a = await measure(() => duckdbAppend(events));
  const q = Database ? await measure(() => sqlite(Database, events)) : undefined;
  const us = (m) => (m.cpu / ROWS) * 1e6;
  const mainUs = (m) => (m.main / ROWS) * 1e6;
  const line = (name, m) =>
    `  ${name.padEnd(40)} ${fmt(rate(ROWS, m.s)).padStart(8)} rows/s wall  ${us(m).toFixed(1).padStart(5)} CPU µs/row (all threads)  ${mainUs(m).toFixed(1).padStart(5)} main-thread CPU µs/row`;
  console.log(`store appends, ${fmt(ROWS)} events, median of ${ROUNDS} rounds (redaction included everywhere):`);
  console.log(line('baseline: JSONL file (createWriteStream)', j));
  console.log(line('baseline: DuckDB Appender value by value', old));
  if (q) console.log(line('baseline: better-sqlite3, tx per 10k', q));
  else console.log('  better-sqlite3: not loadable here, skipped (see the comment at the top of this file)');
  console.log(line('DuckDB store.write() → batch text', w));
  console.log(line('DuckDB store.append()', a));
  console.log(
    `  ratio DuckDB write() ÷ JSONL: ${(rate(ROWS, w.s) / rate(ROWS, j.s)).toFixed(2)} by wall rows/s, ${(us(j) / us(w)).toFixed(2)} by CPU, ${(mainUs(j) / mainUs(w)).toFixed(2)} by main-thread CPU`,
  );
  console.log(
    `  ratio DuckDB write() ÷ Appender value by value: ${(rate(ROWS, w.s) / rate(ROWS, old.s)).toFixed(2)} by wall rows/s, ${(us(old) / us(w)).toFixed(2)} by CPU, ${(mainUs(old) / mainUs(w)).toFixed(2)} by main-thread CPU`,
  );
  if (q)
    console.log(
      `  ratio DuckDB write() ÷ better-sqlite3: ${(rate(ROWS, w.s) / rate(ROWS, q.s)).toFixed(2)} by wall rows/s, ${(us(q) / us(w)).toFixed(2)} by CPU`,
    );
  console.log(
    `  longest event-loop stall during write(): ${w.maxStallMs.toFixed(1)} ms; stored ${fmt(w.stats.appended)}, dropped ${w.stats.dropped}, rejected ${w.stats.rejected}, ${w.stats.batches} batches`,
  );
  console.log(`  file size: DuckDB ${(w.bytes / 1e6).toFixed(1)} MB, JSONL ${(j.bytes / 1e6).toFixed(1)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
