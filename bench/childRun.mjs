// Runs a bench's child processes timed by wall clock and by their own CPU (all threads, DuckDB's
// included; cpuAtExit.cjs prints it at exit): on a shared 2-core machine CPU time is the steadier
// figure. Shared by store-scale.bench.mjs and ingest-floor.bench.mjs.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A runner of timed children working in `dir`. */
export function childRunner(dir) {
  /** Runs node with the CPU preload; returns wall seconds, CPU seconds, stdout, stderr. Throws when the child fails. */
  function timed(args, options = {}) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', join(here, 'cpuAtExit.cjs'), ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, ...options });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = Number(/BENCH_CPU_MS (\d+)/.exec(r.stderr)?.[1] ?? Number.NaN) / 1000;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { wall, cpu, stdout: r.stdout, stderr: r.stderr };
  }
  /** A child running `code` (ESM, written next to this file so it resolves the bench's node_modules). */
  function script(name, code, ...args) {
    const file = join(here, `.${name}.tmp.mjs`);
    writeFileSync(file, code);
    try {
      return timed([file, ...args]);
    } finally {
      rmSync(file, { force: true });
    }
  }
  return { timed, script };
}

/**
 * The first lines of a child script that loads DuckDB's API the way Debbie does
 * (packages/store/dist/duckdb.js: require, and the build's one-file pack of it; an ESM import of
 * @duckdb/node-api costs ~0.1 s more), so a baseline and Debbie differ only in their work.
 */
export const LOAD_DUCKDB_AS_DEBBIE_DOES = `
import { duckdb } from '${join(here, '..', 'packages/store/dist/duckdb.js')}';
const { DuckDBInstance } = duckdb();`;

/** Issue 15's ingest baseline, DuckDB's own load of a JSON Lines file: read_json_auto into a table of a new database at `dbFile`. */
export function duckdbOwnJsonlLoad(script, jsonl, dbFile) {
  return script(
    'readjson',
    `${LOAD_DUCKDB_AS_DEBBIE_DOES}
const db = await DuckDBInstance.create(process.argv[2]);
const c = await db.connect();
await c.run("CREATE TABLE t AS SELECT * FROM read_json_auto('${jsonl}', format = 'newline_delimited')");
c.closeSync(); db.closeSync();`,
    dbFile,
  );
}

export const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');

/** Prints one figure: Debbie's (or a candidate's) run next to its baseline, as baseline / run (≥ 1: at least as fast). */
export function printRow(figure, run, baseline, note = '') {
  const ratio = (a, b) => (a && b ? fmt(b / a) : '-');
  console.log(
    `${figure.padEnd(44)} wall ${fmt(run.wall).padStart(7)} s vs ${fmt(baseline.wall).padStart(7)} s → ${ratio(run.wall, baseline.wall).padStart(5)}×` +
      `   cpu ${fmt(run.cpu).padStart(7)} s vs ${fmt(baseline.cpu).padStart(7)} s → ${ratio(run.cpu, baseline.cpu).padStart(5)}×  ${note}`,
  );
}
