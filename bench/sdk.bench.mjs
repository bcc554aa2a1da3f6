// Issue 2 figures:
//  1. per-span cost of a pipeline with Debbie's span processor ÷ a plain BatchSpanProcessor
//     pipeline (noop exporter), same spans, same run (goal ≤ 1.10);
//  2. DebbieLogger → JSONL file events/s ÷ pino → file events/s, same run (goal ≥ 1.0).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { createDebbie, debbieProcessors, JsonlFileSink } from '@debbie/sdk';

// Spans ended between flushes: the plain pipeline's cost depends on it (its queue and timers), so
// two sizes are measured and both ratios printed.
const ROUND_SIZES = [10_000, 50_000];
const ROUNDS = 11;
const LOGS = 200_000;
const LOG_BATCH = 5_000; // both loggers yield to the event loop between batches, as a real app does
const tick = () => new Promise((r) => setImmediate(r));

const noopExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const noopSink = { write() {}, forceFlush: async () => {}, shutdown: async () => {} };

// Spans shaped like the simulator's tool spans (Debbie's attribute conventions).
function attributes(i) {
  return {
    'debbie.source': 'tool',
    'session.id': 'sess-1',
    'gen_ai.agent.id': 'p',
    'debbie.correlation_id': `turn-${i & 63}`,
    'debbie.component': 'list_rfcs',
    'debbie.action': 'tool_execution',
    'gen_ai.tool.name': 'list_rfcs',
    'gen_ai.tool.call.id': `toolu_${i}`,
    'debbie.details': '{"tool_name":"list_rfcs","count":3}',
  };
}

async function spanRound(provider, SPANS_PER_ROUND) {
  const tracer = provider.getTracer('bench');
  const t0 = cpuNow();
  for (let i = 0; i < SPANS_PER_ROUND; i++) {
    const span = tracer.startSpan('execute_tool list_rfcs', { attributes: attributes(i) });
    span.end();
  }
  await provider.forceFlush();
  return (cpuNow() - t0) / SPANS_PER_ROUND; // CPU ns per span
}

// CPU time of this process (user + system), not wall time: other processes on a busy machine
// then barely move the ratio.
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}; // ns
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const plain = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter, { maxQueueSize: 1 << 17, maxExportBatchSize: 512 })] });
const debbie = new BasicTracerProvider({ spanProcessors: [debbieProcessors({ sinks: [noopSink], maxQueueSize: 1 << 17 }).spanProcessor] });
for (const size of ROUND_SIZES) {
  await spanRound(plain, size);
  await spanRound(debbie, size); // warm up
  const plainNs = [],
    debbieNs = [];
  for (let r = 0; r < ROUNDS; r++) {
    plainNs.push(await spanRound(plain, size));
    debbieNs.push(await spanRound(debbie, size));
  }
  const p = median(plainNs),
    d = median(debbieNs);
  console.log(
    `span pipeline, ${size.toLocaleString('en')} spans per flush: plain BatchSpanProcessor ${(p / 1000).toFixed(2)} CPU µs/span, Debbie processor ${(d / 1000).toFixed(2)} CPU µs/span`,
  );
  console.log(`  ratio Debbie ÷ plain = ${(d / p).toFixed(3)} (goal ≤ 1.10)`);
}

// Logger → file
const dir = mkdtempSync(join(tmpdir(), 'debbie-bench-'));
async function debbieLogs() {
  const file = join(dir, 'debbie.jsonl');
  const sink = new JsonlFileSink(file, { append: false });
  const { logger, shutdown } = createDebbie({ sinks: [sink] });
  const t0 = cpuNow();
  for (let i = 0; i < LOGS; i++) {
    if (i % LOG_BATCH === 0) await tick();
    logger.log({
      source: 'agent',
      component: 'session_manager',
      action: 'continuation_decision',
      message: 'CONTINUATION DECISION: False',
      details: { decision: false, depth: i & 7 },
      session_id: 'sess-1',
      agent_id: 'p',
    });
  }
  await sink.forceFlush();
  const secs = (cpuNow() - t0) / 1e9;
  await shutdown();
  if (sink.dropped) console.log(`  (DebbieLogger dropped ${sink.dropped} events: disk behind)`);
  return { rate: LOGS / secs, bytes: statSync(file).size };
}
async function pinoLogs() {
  const file = join(dir, 'pino.jsonl');
  rmSync(file, { force: true }); // pino appends: start each round empty
  const dest = pino.destination({ dest: file, sync: false, minLength: 4096 });
  const log = pino({ base: { source: 'agent', session_id: 'sess-1', agent_id: 'p' } }, dest);
  const t0 = cpuNow();
  for (let i = 0; i < LOGS; i++) {
    if (i % LOG_BATCH === 0) await tick();
    log.info({ component: 'session_manager', action: 'continuation_decision', details: { decision: false, depth: i & 7 } }, 'CONTINUATION DECISION: False');
  }
  await new Promise((resolve) => dest.flush(resolve));
  const secs = (cpuNow() - t0) / 1e9;
  await new Promise((resolve) => {
    dest.once('close', resolve);
    dest.end();
  });
  return { rate: LOGS / secs, bytes: statSync(file).size };
}
await debbieLogs();
await pinoLogs(); // warm up
const dRates = [],
  pRates = [];
let dBytes = 0,
  pBytes = 0;
for (let r = 0; r < 5; r++) {
  const a = await debbieLogs();
  dRates.push(a.rate);
  dBytes = a.bytes;
  const b = await pinoLogs();
  pRates.push(b.rate);
  pBytes = b.bytes;
}
const dr = median(dRates),
  pr = median(pRates);
console.log(
  `logger → JSONL file: DebbieLogger ${Math.round(dr).toLocaleString('en')} events/s per CPU-second (${Math.round(dBytes / LOGS)} B/event), pino ${Math.round(pr).toLocaleString('en')} events/s (${Math.round(pBytes / LOGS)} B/event)`,
);
console.log(`  ratio Debbie ÷ pino = ${(dr / pr).toFixed(3)} (goal ≥ 1.0)`);
rmSync(dir, { recursive: true, force: true });
