// Issue 4 figures: OTLP protobuf ingest, spans/s end to end (HTTP → decode → normalize → redact →
// commentary → DuckDB store, flushed), sent by a separate process on loopback with the official
// OTLP protobuf serializer, against a null receiver (HTTP + protobuf decode only) in the same run;
// then peak RSS of the collector under a flood (far more concurrent data than its in-flight budget).
// Each stage also prints the collector process's CPU time per span (its own threads, DuckDB's
// included; the sender's not): on a shared machine wall-clock rates swing with other load, CPU per
// span much less, and the stages' differences say what each part costs (decode, conversion and
// redaction, commentary, store).
// This file is also the sender: `node collector.bench.mjs --sender URL SPANS PER_REQUEST CONCURRENCY`.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mainThreadCpuSeconds as threadCpu } from './threadCpu.mjs';

const SPANS = 200_000;
const PER_REQUEST = 1_000;
const CONCURRENCY = 4;

async function sender(url, spansText, perRequestText, concurrencyText) {
  const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { ROOT_CONTEXT, trace } = await import('@opentelemetry/api');
  const total = Number(spansText);
  const perRequest = Number(perRequestText);
  const concurrency = Number(concurrencyText);
  // Spans shaped like agent sessions: 2,000 sessions, each turn an agent span with a model call and
  // two tool calls (varied tools and arguments), GenAI attributes, start/end a few ms apart.
  const TOOLS = ['list_rfcs', 'read_file', 'write_file', 'search_code', 'run_tests', 'list_plans', 'create_plan', 'git_diff'];
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench-app');
  const bodies = [];
  const t0us = Date.now() * 1000 - 3_600_000_000;
  const at = (us) => [Math.floor(us / 1e6), (us % 1e6) * 1000];
  for (let done = 0; done < total; done += perRequest) {
    for (let i = 0; i < perRequest; i += 4) {
      const n = done + i;
      const session = `sess-${n % 2000}`;
      const start = t0us + n * 2000;
      const turn = tracer.startSpan('invoke_agent planner', {
        startTime: at(start),
        attributes: { 'session.id': session, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': 'p' },
      });
      const ctx = trace.setSpan(ROOT_CONTEXT, turn);
      tracer
        .startSpan(
          'chat gpt-4o',
          {
            startTime: at(start + 100),
            attributes: {
              'session.id': session,
              'gen_ai.request.model': 'gpt-4o',
              'gen_ai.usage.input_tokens': 700 + (n % 300),
              'gen_ai.usage.output_tokens': 50 + (n % 90),
            },
          },
          ctx,
        )
        .end(at(start + 900));
      const a = TOOLS[n % TOOLS.length];
      const b = TOOLS[(n * 7 + 3) % TOOLS.length];
      tracer
        .startSpan(
          `execute_tool ${a}`,
          {
            startTime: at(start + 1000),
            attributes: { 'session.id': session, 'gen_ai.tool.name': a, 'gen_ai.tool.call.arguments': `{"path":"docs/rfc-${n}.md"}` },
          },
          ctx,
        )
        .end(at(start + 1200));
      tracer
        .startSpan(
          `execute_tool ${b}`,
          { startTime: at(start + 1300), attributes: { 'session.id': session, 'gen_ai.tool.name': b, 'gen_ai.tool.call.arguments': `{"query":"q${n}"}` } },
          ctx,
        )
        .end(at(start + 1500));
      turn.end(at(start + 1600));
    }
    bodies.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())));
    exporter.reset();
  }
  process.send({ ready: true, bytes: bodies.reduce((a, b) => a + b.length, 0) });
  const statuses = {};
  let next = 0;
  const t0 = performance.now();
  async function lane() {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (;;) {
        const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status !== 503) break;
        await new Promise((r) => setTimeout(r, 20)); // a well-behaved exporter retries after Retry-After
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  process.send({ done: true, ms: performance.now() - t0, statuses });
  process.exit(0);
}

/** Runs the sender against `url`; resolves with the time from its first request to `settled()`. */
function send(url, spans, perRequest, concurrency, settled) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--sender', url, String(spans), String(perRequest), String(concurrency)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let t0 = 0;
    let bytes = 0;
    child.on('message', async (m) => {
      if (m.ready) {
        t0 = performance.now();
        bytes = m.bytes;
      }
      if (m.done) {
        await settled();
        resolve({ seconds: (performance.now() - t0) / 1000, senderMs: m.ms, statuses: m.statuses, bytes });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`sender exited with ${code}`));
    });
  });
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

const mib = (b) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

/**
 * CPU time of the main thread alone, in µs (Linux: utime + stime of /proc/self/task/<pid>/stat,
 * 10 ms ticks), or null elsewhere: the event loop is one core, so its share says how far the
 * collector is from being bound by it; the rest is DuckDB's and V8's helper threads.
 */
const mainThreadCpuUs = () => {
  const s = threadCpu();
  return s === null ? null : s * 1e6;
};

/** CPU time of this process (all its threads) from now to the returned function's call, in µs per item, and the main thread's part. */
function cpuMeter() {
  const t0 = process.cpuUsage();
  const main0 = mainThreadCpuUs();
  return (items) => {
    const d = process.cpuUsage(t0);
    const main1 = mainThreadCpuUs();
    const n = Math.max(1, items);
    const mainPart = main0 === null || main1 === null ? '' : `, main thread ${((main1 - main0) / n).toFixed(1)}`;
    return `${((d.user + d.system) / n).toFixed(1)} µs CPU/span${mainPart}`;
  };
}

async function main() {
  const { startCollector } = await import('@debbie/collector');
  // The collector's own protobuf decoder (internal to the package, so imported from its build).
  const { decodeTracesProtoFast } = await import('../packages/collector/dist/otlp/fastTraceDecoder.js');
  const { openStore } = await import('@debbie/store');
  const { CommentaryProcessor } = await import('@debbie/commentary');
  const dir = mkdtempSync(join(tmpdir(), 'debbie-collector-bench-'));
  console.log(
    `OTLP protobuf ingest: ${SPANS.toLocaleString()} spans, ${PER_REQUEST} per request, ${CONCURRENCY} requests in flight, sender in its own process`,
  );

  // Baseline: a null receiver that reads and decodes the protobuf (with the collector's decoder), and nothing else.
  let decoded = 0;
  const nullServer = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      decoded += decodeTracesProtoFast(Buffer.concat(chunks)).accepted;
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': '0' });
      res.end();
    });
  });
  await new Promise((r) => nullServer.listen(0, '127.0.0.1', r));
  const nullUrl = `http://127.0.0.1:${nullServer.address().port}`;
  let cpu = cpuMeter();
  const base = await send(nullUrl, SPANS, PER_REQUEST, CONCURRENCY, async () => {});
  const baseCpu = cpu(decoded);
  nullServer.close();
  const baseRate = decoded / base.seconds;
  console.log(
    `  null receiver (decode only)        ${Math.round(baseRate).toLocaleString().padStart(9)} spans/s  (${decoded.toLocaleString()} decoded, ${mib(base.bytes)} sent; ${baseCpu})`,
  );

  // The collector's own work (HTTP, decode, GenAI normalization, redaction) into a sink that only counts.
  let counted = 0;
  const countingSink = {
    write() {
      counted += 1;
    },
    async forceFlush() {},
    async shutdown() {},
  };
  const bare = await startCollector({ port: 0, sinks: [countingSink] });
  cpu = cpuMeter();
  const mid = await send(bare.url, SPANS, PER_REQUEST, CONCURRENCY, () => bare.flush());
  const midCpu = cpu(counted);
  await bare.close();
  const midRate = counted / mid.seconds;
  console.log(
    `  collector → counting sink           ${Math.round(midRate).toLocaleString().padStart(9)} spans/s  (${(midRate / baseRate).toFixed(2)}× the null receiver; ${midCpu})`,
  );

  // The same with the commentary and no store: what commenting on each span costs.
  let commentedCount = 0;
  const commentedSink = { ...countingSink, write: () => void (commentedCount += 1) };
  const commented = await startCollector({ port: 0, sinks: [commentedSink], commentary: (onComment) => new CommentaryProcessor({ onComment }) });
  cpu = cpuMeter();
  const cm = await send(commented.url, SPANS, PER_REQUEST, CONCURRENCY, () => commented.flush());
  const cmSpans = commented.stats().receiver.spans_accepted;
  const cmCpu = cpu(cmSpans);
  await commented.close();
  const cmRate = cmSpans / cm.seconds;
  console.log(
    `  collector → commentary (no store)   ${Math.round(cmRate).toLocaleString().padStart(9)} spans/s  (${(cmRate / baseRate).toFixed(2)}× the null receiver; ${cmCpu})`,
  );

  // The collector into the store alone (no commentary), to show what each sink costs.
  const storeOnly = await openStore(join(dir, 'store-only.duckdb'), { maxQueuedEvents: 1_000_000 });
  const plain = await startCollector({ port: 0, store: storeOnly });
  cpu = cpuMeter();
  const so = await send(plain.url, SPANS, PER_REQUEST, CONCURRENCY, () => plain.flush());
  const soCpu = cpu(plain.stats().receiver.spans_accepted);
  const soRate = plain.stats().receiver.spans_accepted / so.seconds;
  await plain.close();
  console.log(
    `  debbie collect (store only)         ${Math.round(soRate).toLocaleString().padStart(9)} spans/s  (${(soRate / baseRate).toFixed(2)}× the null receiver; ${soCpu})`,
  );

  // The collector: store + commentary, measured until the store has written everything.
  const store = await openStore(join(dir, 'bench.duckdb'), { maxQueuedEvents: 1_000_000 });
  let comments = 0;
  const collector = await startCollector({
    port: 0,
    store,
    commentary: (onComment) =>
      new CommentaryProcessor({
        onComment: (e) => {
          comments += 1;
          onComment(e);
        },
      }),
  });
  const rss = rssSampler();
  cpu = cpuMeter();
  const full = await send(collector.url, SPANS, PER_REQUEST, CONCURRENCY, () => collector.flush());
  const peakSteady = rss.stop();
  const s = collector.stats();
  const fullCpu = cpu(s.receiver.spans_accepted);
  const stored = await store.countEvents({});
  const rate = s.receiver.spans_accepted / full.seconds;
  console.log(
    `  debbie collect (store + commentary) ${Math.round(rate).toLocaleString().padStart(9)} spans/s  (${(rate / baseRate).toFixed(2)}× the null receiver; ${stored.toLocaleString()} stored, ${s.store.dropped} dropped, ${comments} comments; ${fullCpu}; goal ≥ 50,000)`,
  );
  console.log(`  peak RSS while ingesting            ${mib(peakSteady)}`);
  const load = (await import('node:os')).loadavg()[0];
  if (load > 2.5) console.log(`  note: load average ${load.toFixed(1)} on this machine during the run (other processes): figures are noisy`);

  // Flood: 64 senders at once with 5,000-span requests, far past the 64 MiB in-flight budget... of a
  // collector given a small budget (8 MiB), so the throttle and the store queue are what bound memory.
  await collector.close();
  const store2 = await openStore(join(dir, 'flood.duckdb'), { maxQueuedEvents: 100_000 });
  const flood = await startCollector({
    port: 0,
    store: store2,
    maxInflightBytes: 8 * 1024 * 1024,
    commentary: (onComment) => new CommentaryProcessor({ onComment }),
  });
  global.gc?.();
  const before = process.memoryUsage().rss;
  const rss2 = rssSampler();
  const f = await send(flood.url, 100_000, 5_000, 64, () => flood.flush());
  const peakFlood = rss2.stop();
  const fs = flood.stats();
  console.log(
    `  flood: 64 senders × 5,000-span requests: ${fs.receiver.requests_throttled} requests throttled (503 + Retry-After, retried), ` +
      `${fs.store.dropped} events dropped by the store queue, ${fs.receiver.spans_accepted.toLocaleString()} spans accepted in ${f.seconds.toFixed(1)} s`,
  );
  console.log(
    `  peak RSS under the flood            ${mib(peakFlood)} (from ${mib(before)} before; in-flight budget 8 MiB, peak in flight ${mib(fs.receiver.peak_inflight_bytes)})`,
  );
  await flood.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--sender') await sender(...process.argv.slice(3));
else await main();
