// Issue 13 figure: `debbie ingest` of a ~2-million-line file stores every line it reports (or exits
// non-zero saying how many it did not). Prints stored / reported (must be 1.00) and the ingest time
// against a baseline in the same run: reading the same file line by line and doing nothing else.
// LINES=N overrides the size (default 2,000,000).
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const LINES = Number(process.env.LINES ?? 2_000_000);
const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

async function writeLog(path) {
  const out = createWriteStream(path);
  for (let i = 0; i < LINES; i++) {
    const line = `2025-06-02 21:${String(Math.floor(i / 60_000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} 1398427 MainThread aiwhisperer.agents.agent - INFO - step ${i} of session s${i % 500}\n`;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

async function main() {
  const { openStore } = await import('@debbie/store');
  const dir = mkdtempSync(join(tmpdir(), 'debbie-ingest-lines-'));
  const file = join(dir, 'big.log');
  await writeLog(file);
  console.log(`debbie ingest of ${LINES.toLocaleString()} Python-logging lines (${(statSync(file).size / 1024 / 1024).toFixed(0)} MiB) into a DuckDB store`);
  let t = performance.now();
  let read = 0;
  for await (const _ of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) read += 1;
  const baseMs = performance.now() - t;
  t = performance.now();
  let stdout = '';
  let code = 0;
  try {
    stdout = execFileSync(process.execPath, [BIN, 'ingest', file, '--store', join(dir, 's.duckdb'), '--no-commentary'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    code = error.status ?? 1;
    stdout = String(error.stdout ?? '');
    console.log(`  ingest exited ${code}: ${String(error.stderr ?? '').trim()}`);
  }
  const ingestMs = performance.now() - t;
  const reported = Number(/→ (\d+) events/.exec(stdout)?.[1] ?? 0);
  const store = await openStore(join(dir, 's.duckdb'), { readOnly: true });
  const stored = await store.countEvents({});
  await store.close();
  console.log(`  baseline: read the lines only          ${(baseMs / 1000).toFixed(1)} s (${read.toLocaleString()} lines)`);
  console.log(
    `  debbie ingest (exit ${code})                 ${(ingestMs / 1000).toFixed(1)} s  (${(ingestMs / baseMs).toFixed(1)}× the baseline; ${Math.round(stored / (ingestMs / 1000)).toLocaleString()} lines/s)`,
  );
  console.log(
    `  reported ${reported.toLocaleString()} events, stored ${stored.toLocaleString()}: stored / reported = ${(stored / Math.max(1, reported)).toFixed(2)} (must be 1.00, or a non-zero exit)`,
  );
  rmSync(dir, { recursive: true, force: true });
  if (stored !== reported && code === 0) process.exitCode = 1;
}

await main();
