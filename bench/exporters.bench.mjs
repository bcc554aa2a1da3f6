// Exporters: rows/s per format on 100k and 1M events; Parquet against DuckDB COPY on the same
// rows; peak RSS of a 1M-event export next to a 100k one (flat memory means a ratio near 1).
// Elasticsearch and Splunk go to the strict local servers of @debbie/exporters/testing, run in a
// child process so that their parsing does not share the exporter's thread.
// Default run (~2 min on an idle machine): every format at 100k, JSONL and Parquet at 1M.
// EXPORTERS_BENCH_FULL=1 runs every format at 1M too.
// rows/s is wall time; rows/CPU-s (the child's user+sys time) is steadier on a busy machine.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDestination, exportEvents, EXPORT_COLUMNS, flatValue, ParquetRowGroup } from '@debbie/exporters';
import { LocalElasticsearchServer, LocalSplunkHecServer, syntheticBatches } from '@debbie/exporters/testing';
import { epochMicros } from '@debbie/model';

const self = fileURLToPath(import.meta.url);
const FORMATS = ['jsonl', 'json', 'csv', 'parquet', 'elasticsearch', 'splunk'];
const [mode, ...args] = process.argv.slice(2);

if (mode === '--servers') await runServers();
else if (mode === '--child') await runChild(args[0], Number(args[1]), args[2], args[3]);
else await main();

/** Child: both local servers, URLs on stdout, until stdin closes. */
async function runServers() {
  const es = await LocalElasticsearchServer.start({ storeDocuments: false, maxContentLength: 200 * 1024 * 1024 });
  const hec = await LocalSplunkHecServer.start({ tokens: { bench: { allowedIndexes: ['main'] } }, storeEvents: false, maxContentLength: 8 * 1024 * 1024 });
  process.stdout.write(`${JSON.stringify({ es: es.url, hec: hec.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await es.stop();
    await hec.stop();
    process.exit(0);
  });
}

function destinationFor(format, dir, urls) {
  if (format === 'elasticsearch') return createDestination({ format, url: urls.es });
  if (format === 'splunk') return createDestination({ format, url: urls.hec, token: 'bench' });
  return createDestination({ format, output: join(dir, `out.${format}`) });
}

/** Child: one export of `count` lazily generated events; prints rows/s and peak RSS. */
async function runChild(format, count, dir, urlsJson) {
  const urls = JSON.parse(urlsJson);
  const started = performance.now();
  const cpu = process.cpuUsage();
  // RSS after each tenth of the export: flat memory means these stop growing.
  const samples = [];
  const onProgress = ({ read }) => {
    if (read % (count / 10) === 0) samples.push(Math.round(process.memoryUsage.rss() / 1e6));
  };
  const summary = await exportEvents(syntheticBatches(count, { batchSize: 5_000 }), destinationFor(format, dir, urls), { onProgress });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  process.stdout.write(
    `${JSON.stringify({ ms, cpuMs, samples, written: summary.written, bytes: summary.bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

function child(format, count, dir, urls) {
  const r = spawnSync(process.execPath, [self, '--child', format, String(count), dir, JSON.stringify(urls)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${format} ${count}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

async function generationOnly(count) {
  const t = performance.now();
  let _n = 0;
  for (const batch of syntheticBatches(count)) _n += batch.length;
  return performance.now() - t;
}

async function duckdbBaseline(count, dir) {
  const { DuckDBInstance, listValue, LIST, VARCHAR, timestampTZValue } = await import('@duckdb/node-api');
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const cols = EXPORT_COLUMNS.map((c) =>
    c === 'timestamp' ? 'timestamp TIMESTAMPTZ' : c === 'duration_ms' ? 'duration_ms DOUBLE' : c === 'tags' ? 'tags VARCHAR[]' : `${c} VARCHAR`,
  );
  await connection.run(`CREATE TABLE ev (${cols.join(', ')})`);
  const batches = [...syntheticBatches(count)];
  let t = performance.now();
  const appender = await connection.createAppender('ev');
  for (const batch of batches)
    for (const e of batch) {
      for (const c of EXPORT_COLUMNS) {
        if (c === 'timestamp') appender.appendTimestampTZ(timestampTZValue(BigInt(epochMicros(e.timestamp))));
        else if (c === 'duration_ms') e.duration_ms === null ? appender.appendNull() : appender.appendDouble(e.duration_ms);
        else if (c === 'tags') appender.appendList(listValue(e.tags), LIST(VARCHAR));
        else {
          const v = flatValue(e, c);
          v === null ? appender.appendNull() : appender.appendVarchar(String(v));
        }
      }
      appender.endRow();
    }
  appender.closeSync();
  const loadMs = performance.now() - t;
  t = performance.now();
  await connection.run(`COPY ev TO '${join(dir, 'duck.parquet')}' (FORMAT parquet, COMPRESSION snappy)`);
  const copyMs = performance.now() - t;
  connection.closeSync();
  // Ours on the same rows, already in memory, in this process (after a small warm-up run).
  await exportEvents(batches.slice(0, 2), createDestination({ format: 'parquet', output: join(dir, 'warm.parquet') }));
  t = performance.now();
  await exportEvents(batches, createDestination({ format: 'parquet', output: join(dir, 'ours.parquet') }));
  const oursMs = performance.now() - t;
  // The part of ours that DuckDB's COPY does not do: turning events into column values (the JSON
  // text of nested fields, timestamps); DuckDB's appender load did that work instead.
  t = performance.now();
  for (let i = 0; i < batches.length; i += 4) {
    const group = new ParquetRowGroup(20_000);
    for (const batch of batches.slice(i, i + 4)) for (const e of batch) group.push(e);
  }
  const transformMs = performance.now() - t;
  return { loadMs, copyMs, oursMs, transformMs, duckBytes: statSync(join(dir, 'duck.parquet')).size, oursBytes: statSync(join(dir, 'ours.parquet')).size };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'debbie-bench-exporters-'));
  const servers = spawn(process.execPath, [self, '--servers'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const urls = await new Promise((resolve) => servers.stdout.once('data', (d) => resolve(JSON.parse(String(d)))));
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  try {
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at start (figures are wall time; compare rows/CPU-s on a busy machine)`,
    );
    const gen100k = await generationOnly(100_000);
    console.log(`event generation alone: ${fmt(100_000 / (gen100k / 1000))} events/s (included in the figures below)`);
    console.log('\nformat          events    rows/s  rows/CPU-s     MB/s   peak RSS   RSS (MB) after each 10% of the export');
    const rss = {};
    const million = process.env.EXPORTERS_BENCH_FULL ? FORMATS : ['jsonl', 'parquet'];
    for (const [count, formats] of [
      [100_000, FORMATS],
      [1_000_000, million],
    ]) {
      for (const format of formats) {
        const r = child(format, count, dir, urls);
        if (r.written !== count) throw new Error(`${format}: wrote ${r.written} of ${count}`);
        (rss[format] ??= {})[count] = r.maxRssMb;
        console.log(
          `${format.padEnd(14)} ${String(count / 1000).padStart(5)}k ${fmt(count / (r.ms / 1000)).padStart(9)} ${fmt(count / (r.cpuMs / 1000)).padStart(11)} ${(r.bytes / 1e6 / (r.ms / 1000)).toFixed(1).padStart(8)} ${r.maxRssMb.toFixed(0).padStart(7)} MB   ${r.samples.join(' ')}`,
        );
      }
    }
    console.log('\nmemory stays flat: peak RSS of the 1M export / peak RSS of the 100k export');
    for (const format of million)
      console.log(
        `  ${format.padEnd(14)} ${(rss[format][1_000_000] / rss[format][100_000]).toFixed(2)}x  (${rss[format][1_000_000].toFixed(0)} MB vs ${rss[format][100_000].toFixed(0)} MB)`,
      );

    const b = await duckdbBaseline(100_000, dir);
    console.log('\nParquet, 100k events x 24 columns, snappy, same rows in this process:');
    console.log(
      `  @debbie/exporters                     ${fmt(b.oursMs)} ms  ${(b.oursBytes / 1e6).toFixed(1)} MB (events → columns ${fmt(b.transformMs)} ms, encoding + writing ${fmt(b.oursMs - b.transformMs)} ms)`,
    );
    console.log(
      `  DuckDB appender load + COPY           ${fmt(b.loadMs + b.copyMs)} ms (load ${fmt(b.loadMs)} + COPY ${fmt(b.copyMs)})  ${(b.duckBytes / 1e6).toFixed(1)} MB`,
    );
    console.log(`  ratio vs DuckDB load + COPY: ${((b.loadMs + b.copyMs) / b.oursMs).toFixed(2)}x (goal >= 1.0x)`);
    console.log(
      `  ratio vs DuckDB COPY alone (rows already in a DuckDB table): ${(b.copyMs / b.oursMs).toFixed(2)}x; encoding + writing alone vs COPY: ${(b.copyMs / (b.oursMs - b.transformMs)).toFixed(2)}x`,
    );
  } finally {
    servers.stdin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
