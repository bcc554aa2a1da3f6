// Issue 12 item 5 figure: `debbie ingest` of a 50 MB OTLP/JSON line (one request per line, as the
// OTel Collector's file exporter writes them; built from the specification's trace example). The
// streamed reader (JsonValueStream via ingestFile: one span at a time, decoded in batches) against
// the baseline measured in the same run: read the whole line, JSON.parse it, decode it (what a
// whole-document reader does; the reader before this change cut the line at 1 MiB and kept no span).
// Each variant runs in its own process so that its peak RSS is its own. Prints time and peak RSS as
// ratios (new / baseline).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = 3;
const MB = 50;
const here = fileURLToPath(import.meta.url);

if (process.argv[2] === 'child') {
  const [, , , variant, path] = process.argv;
  const { ingestFile, decodeJsonDocument } = await import('@debbie/collector');
  let events = 0;
  const sink = {
    write: () => {
      events += 1;
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const t0 = process.hrtime.bigint();
  if (variant === 'stream') await ingestFile(path, { sink });
  else {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    for (const e of decodeJsonDocument(value, path).events) sink.write(e);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ ms, events, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

// The spec's example (shared/data beside the repository, or $DEBBIE_SHARED_DATA).
const sharedData = [process.env.DEBBIE_SHARED_DATA, new URL('../../shared/data', import.meta.url).pathname, '/work/shared/data'].find(
  (d) => d && existsSync(`${d}/otlp-examples`),
);
if (!sharedData) throw new Error('shared/data not found beside the repository: set DEBBIE_SHARED_DATA');
const example = JSON.parse(readFileSync(`${sharedData}/otlp-examples/opentelemetry-proto/examples/trace.json`, 'utf8'));
const span = example.resourceSpans[0].scopeSpans[0].spans[0];
const dir = mkdtempSync(join(tmpdir(), 'debbie-bench-bigline-'));
const path = join(dir, 'big.jsonl');
const head = JSON.stringify(example).replace(/"spans":\[.*\]\}\]\}\]\}$/s, '"spans":[');
const fd = openSync(path, 'w');
writeSync(fd, head);
let bytes = head.length;
let n = 0;
const parts = [];
while (bytes < MB * 1024 * 1024) {
  const text = `${n ? ',' : ''}${JSON.stringify({ ...span, spanId: (n + 1).toString(16).padStart(16, '0') })}`;
  parts.push(text);
  bytes += text.length;
  n += 1;
  if (parts.length === 10_000) writeSync(fd, parts.splice(0).join(''));
}
writeSync(fd, `${parts.join('')}]}]}]}\n`);
closeSync(fd);

const run = (variant) => {
  const r = spawnSync(process.execPath, [here, 'child', variant, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${variant}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { stream: [], whole: [] };
for (let i = 0; i < ROUNDS; i++) for (const v of ['whole', 'stream']) results[v].push(run(v));
rmSync(dir, { recursive: true, force: true });

const s = { ms: median(results.stream.map((r) => r.ms)), rss: median(results.stream.map((r) => r.maxRssMb)), events: results.stream[0].events };
const w = { ms: median(results.whole.map((r) => r.ms)), rss: median(results.whole.map((r) => r.maxRssMb)), events: results.whole[0].events };
console.log(`50 MB OTLP/JSON line, ${n} spans (${(bytes / 1e6).toFixed(1)} MB), median of ${ROUNDS}:`);
console.log(`  baseline (read whole + JSON.parse): ${w.events} events, ${w.ms.toFixed(0)} ms, peak RSS ${w.rss.toFixed(0)} MB`);
console.log(`  streamed (ingestFile):              ${s.events} events, ${s.ms.toFixed(0)} ms, peak RSS ${s.rss.toFixed(0)} MB`);
console.log(
  `  ratio streamed/baseline: time ${(s.ms / w.ms).toFixed(2)}×, peak RSS ${(s.rss / w.rss).toFixed(2)}×; every span kept: ${s.events === n && w.events === n}`,
);
if (s.events !== n) process.exitCode = 1;
