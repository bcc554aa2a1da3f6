// Issue 13 figure: what "acknowledged means durable" costs. OTLP protobuf ingest through the
// collector into a DuckDB file store, the 200 answered only after the request's events are
// committed (group commits), against a baseline in the same run that answers as soon as the events
// are handed to the store (no durability: a kill -9 loses what is not yet written). Both are
// measured until everything is in the file. The sender is collector.bench.mjs's, in its own process.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPANS = 200_000;
const PER_REQUEST = 1_000;
const CONCURRENCY = 4;
const here = dirname(fileURLToPath(import.meta.url));

function send(url, settled) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'collector.bench.mjs'), ['--sender', url, String(SPANS), String(PER_REQUEST), String(CONCURRENCY)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let t0 = 0;
    child.on('message', async (m) => {
      if (m.ready) t0 = performance.now();
      if (m.done) {
        const answeredMs = performance.now() - t0;
        await settled();
        resolve({ seconds: (performance.now() - t0) / 1000, answeredMs, statuses: m.statuses });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`sender exited with ${code}`));
    });
  });
}

async function run(label, dir, wrap) {
  const { startCollector } = await import('@debbie/collector');
  const { openStore } = await import('@debbie/store');
  const store = await openStore(join(dir, `${label}.duckdb`));
  const collector = await startCollector({ port: 0, store: wrap(store) });
  const r = await send(collector.url, async () => {
    await collector.flush();
    await store.forceFlush();
  });
  const stored = await store.countEvents({});
  const s = collector.stats();
  await collector.close();
  return { ...r, stored, rate: stored / r.seconds, commits: s.pipeline.stored, throttled: s.receiver.requests_throttled };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'debbie-durability-bench-'));
  console.log(`OTLP protobuf ingest into a DuckDB file: ${SPANS.toLocaleString()} spans, ${PER_REQUEST} per request, ${CONCURRENCY} in flight`);
  // Baseline: append "resolves" at once (the write goes on behind): 200 before anything is in the file.
  const baseline = await run('receipt', dir, (store) => ({
    append: (events) => {
      store.append(events).catch(() => undefined);
      return Promise.resolve();
    },
    forceFlush: () => store.forceFlush(),
    shutdown: () => store.shutdown(),
    listSessions: () => store.listSessions(),
    queryEvents: store.queryEvents.bind(store),
    stats: () => store.stats(),
  }));
  const durable = await run('commit', dir, (store) => store);
  const line = (name, r) =>
    `  ${name.padEnd(40)} ${Math.round(r.rate).toLocaleString().padStart(9)} spans/s stored  (${r.stored.toLocaleString()} stored, all answered in ${(r.answeredMs / 1000).toFixed(2)} s, ${r.throttled} answered 503)`;
  console.log(line('ack on receipt (baseline, not durable)', baseline));
  console.log(line('ack after commit (group commits)', durable));
  console.log(
    `  durability costs: ${(durable.rate / baseline.rate).toFixed(2)}× the baseline's throughput (goal: stay ≥ 50,000 spans/s where the baseline reaches it)`,
  );
  const load = (await import('node:os')).loadavg()[0];
  if (load > 2.5) console.log(`  note: load average ${load.toFixed(1)} on this machine during the run (other processes): figures are noisy`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
