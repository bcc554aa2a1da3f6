// Issue 3 figures (issue 16: with the progress and run-end detectors on):
//  1. detector throughput, events/s on one core, through CommentaryProcessor.write (all detectors
//     on) ÷ a no-op sink loop over the same events in the same run (goal ≥ 500k events/s);
//  2. memory per 10k active sessions (each mid-turn: every detector holding state, a stall timer armed);
//  3. µs per event by event shape (issue 15: OTLP into the store with commentary on): the demo-shaped
//     events above next to OTLP-shaped ones (the collector bench's spans, converted as the collector
//     converts them); with DEBBIE_COMMENTARY=<a built @debbie/commentary index.js>, also that build's
//     figures on the same events in alternating rounds, and this build's time as a ratio to it.
import { createEvent, isoFromEpochMicros, systemClock } from '@debbie/model';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CommentaryProcessor } from '@debbie/commentary';
import { otlpShapedEvents } from './otlpShaped.gen.mjs';
import { mainThreadCpuSeconds as threadCpu } from './threadCpu.mjs';

const SESSIONS = 1_000;
const TURNS = 40;
const ROUNDS = 7;
const T0 = Date.UTC(2025, 5, 2, 21, 5, 0) * 1000;
const TOOLS = ['list_rfcs', 'read_file', 'search_code', 'write_file', 'run_tests'];

/** One turn of a session, shaped like the simulator's events (≈15 events). */
function turn(events, s, k, t) {
  const session_id = `sess-${s}`;
  const base = { session_id, agent_id: 'p', correlation_id: `${s}-turn-${k}` };
  const at = (us) => isoFromEpochMicros(us);
  const tool = TOOLS[(s + k) % TOOLS.length];
  events.push(
    createEvent({
      ...base,
      source: 'agent',
      component: 'agent.patricia',
      action: 'user_message',
      event_summary: '>>> USER MESSAGE >>> go on with the plan',
      timestamp: at(t),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'server',
      level: 'DEBUG',
      component: 'resource_monitor',
      action: 'resource_sample',
      event_summary: 'process memory 210 MB',
      performance_metrics: { memory_mb: 200 + (k % 20) },
      timestamp: at(t + 1000),
    }),
  );
  for (let c = 0; c < 4; c++)
    events.push(
      createEvent({
        ...base,
        source: 'ai_service',
        level: 'DEBUG',
        component: 'openrouter_ai_service',
        action: 'stream_chunk',
        event_summary: `chunk ${c + 1}/4`,
        details: { index: c },
        timestamp: at(t + 600_000 + c * 45_000),
      }),
    );
  events.push(
    createEvent({
      ...base,
      source: 'ai_service',
      component: 'openrouter_ai_service',
      action: 'chat',
      event_summary: 'chat openai/gpt-4o-mini',
      duration_ms: 800,
      kind: 'span',
      details: { model: 'openai/gpt-4o-mini', finish_reason: 'tool_calls' },
      performance_metrics: { input_tokens: 900 + k * 20, output_tokens: 40, time_to_first_token_ms: 600 },
      timestamp: at(t + 2000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'agent',
      component: 'agent.patricia',
      action: 'ai_response',
      event_summary: '<<< AI RESPONSE <<< Let me look.',
      details: { finish_reason: 'tool_calls' },
      timestamp: at(t + 802_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'websocket',
      level: 'DEBUG',
      component: 'websocket_endpoint',
      action: 'notification',
      event_summary: '→ ChannelMessageNotification',
      details: { rpc_method: 'ChannelMessageNotification' },
      timestamp: at(t + 803_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'tool',
      component: tool,
      action: 'tool_start',
      event_summary: `🔧 EXECUTING TOOL 1/1: ${tool}`,
      details: { tool_name: tool },
      timestamp: at(t + 804_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'tool',
      component: tool,
      action: 'tool_execution',
      event_summary: `✅ Tool ${tool} completed`,
      duration_ms: 20 + (k % 7),
      kind: 'span',
      details: { tool_name: tool, tool_arguments: `{"path":"src/file${k}.ts"}` },
      timestamp: at(t + 805_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'websocket',
      level: 'DEBUG',
      component: 'websocket_endpoint',
      action: 'notification',
      event_summary: '→ StreamingUpdate',
      details: { rpc_method: 'StreamingUpdate' },
      timestamp: at(t + 830_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'session',
      component: 'session_manager',
      action: 'continuation_decision',
      event_summary: '🔄 CONTINUATION DECISION: True',
      details: { decision: true, reason: 'model_continue' },
      timestamp: at(t + 831_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'session',
      component: 'session_manager',
      action: 'continuation_injected',
      event_summary: 'Please continue with the next step.',
      timestamp: at(t + 1_331_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'websocket',
      component: 'websocket_endpoint',
      action: 'session.current_agent',
      event_summary: 'session.current_agent',
      duration_ms: 4,
      kind: 'span',
      details: { rpc_method: 'session.current_agent' },
      performance_metrics: { response_ms: 4 },
      timestamp: at(t + 1_400_000),
    }),
  );
  events.push(
    createEvent({
      ...base,
      source: 'tool',
      level: k % 13 === 0 ? 'ERROR' : 'INFO',
      component: 'read_file',
      action: 'tool_execution',
      event_summary:
        k % 13 === 0 ? `Tool read_file failed: FileNotFoundError: [Errno 2] No such file or directory: 'src/x${k}.ts'` : '✅ Tool read_file completed',
      duration_ms: 8,
      kind: 'span',
      details: { tool_name: 'read_file', tool_arguments: `{"path":"docs/${k}.md"}` },
      timestamp: at(t + 1_500_000),
    }),
  );
}

/** Sessions interleaved turn by turn, time moving forward. */
function workload() {
  const events = [];
  for (let k = 0; k < TURNS; k++) for (let s = 0; s < SESSIONS; s++) turn(events, s, k, T0 + k * 5_000_000 + s * 1000);
  return events;
}

// Wall time of a synchronous loop on the main thread: one core. (process.cpuUsage would add GC helper threads.)
const cpuNow = () => Number(process.hrtime.bigint());

/**
 * CPU time of the main thread alone (Linux: utime + stime of /proc/self/task/<pid>/stat, 10 ms
 * ticks), or null elsewhere. On a machine shared with other work, wall time counts the moments
 * this thread waited for a core; its own CPU time is the "one core" cost.
 */
const threadCpuNs = () => {
  const s = threadCpu();
  return s === null ? null : s * 1e9;
};
const threadNs = [];

function timeLoop(events, sink, cpu) {
  globalThis.gc?.(); // the workload's construction garbage is not the loop's cost
  const c0 = cpu ? threadCpuNs() : null;
  const t0 = cpuNow();
  for (let i = 0; i < events.length; i++) sink.write(events[i]);
  const ns = cpuNow() - t0;
  if (c0 !== null) threadNs.push(threadCpuNs() - c0);
  return ns;
}

function timeLoopNoGc(events, sink) {
  const t0 = cpuNow();
  for (let i = 0; i < events.length; i++) sink.write(events[i]);
  return cpuNow() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Memory first, on a clean heap.
// --- memory per 10k active sessions ---
function heap() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}
const ACTIVE = 10_000;
const beforeEventsHeap = heap();
const memEvents = [];
for (let s = 0; s < ACTIVE; s++) {
  turn(memEvents, s, 1, T0 + s * 100);
  // end mid-turn after a tool (a stall timer armed, every detector holding state)
  memEvents.push(
    createEvent({
      session_id: `sess-${s}`,
      agent_id: 'p',
      source: 'tool',
      component: 'search_code',
      action: 'tool_execution',
      event_summary: 'ok',
      duration_ms: 30,
      kind: 'span',
      details: { tool_name: 'search_code', tool_arguments: '{"query":"theme"}' },
      timestamp: isoFromEpochMicros(T0 + s * 100 + 2_000_000),
    }),
  );
}
const memHeap = heap();
const baselineHeap = memHeap;
const empty = new CommentaryProcessor({ clock: systemClock });
const emptyHeap = heap();
const p = new CommentaryProcessor({ clock: systemClock });
for (const e of memEvents) p.write(e);
const fullHeap = heap();
const perSession = (fullHeap - emptyHeap) / ACTIVE;
console.log(
  `memory: ${ACTIVE.toLocaleString('en-US')} active sessions hold ${((fullHeap - emptyHeap) / 1048576).toFixed(1)} MB in the processor (${Math.round(perSession)} B/session); an empty processor ${((emptyHeap - baselineHeap) / 1024).toFixed(0)} kB; ${p.stats().sessions} sessions tracked`,
);
console.log(
  `   baseline: the ${memEvents.length.toLocaleString('en-US')} events that built them take ${((memHeap - beforeEventsHeap) / 1048576).toFixed(1)} MB in the caller's heap (${Math.round((memHeap - beforeEventsHeap) / ACTIVE)} B/session); the processor keeps ${(perSession / ((memHeap - beforeEventsHeap) / ACTIVE)).toFixed(2)}× that and retains no event`,
);
await p.shutdown();
await empty.shutdown();

let events = workload();
let checksum = 0;
const noop = {
  write(e) {
    checksum += e.level.length;
  },
};
const noopNs = [];
const procNs = [];
let lastStats;
for (let r = 0; r < ROUNDS; r++) {
  noopNs.push(timeLoop(events, noop));
  const p = new CommentaryProcessor({
    clock: systemClock,
    onComment: () => {
      checksum += 1;
    },
  });
  procNs.push(timeLoop(events, p, true));
  lastStats = p.stats();
  await p.shutdown();
}
const n = events.length;
// Best round = least disturbed by other processes on a shared machine; the median is printed too.
const best = (xs) => Math.min(...xs);
const rate = (ns) =>
  Math.round(n / (ns / 1e9))
    .toLocaleString('en-US')
    .padStart(12);
console.log(
  `cold events: ${n} pre-built events (${SESSIONS} interleaved sessions × ${TURNS} turns, simulator-shaped; memory-bound), ${ROUNDS} rounds; best round (median)`,
);
console.log(
  `CommentaryProcessor.write   ${rate(best(procNs))} events/s (${rate(median(procNs)).trim()})  ${(best(procNs) / n).toFixed(0)} ns/event; goal ≥ 500,000`,
);
if (threadNs.length > 0)
  console.log(
    `  on one core (the thread's own CPU time) ${rate(best(threadNs)).trim()} events/s (${rate(median(threadNs)).trim()} median); wall time above includes waits for a core`,
  );
console.log(`no-op sink loop (baseline)  ${rate(best(noopNs))} events/s (${rate(median(noopNs)).trim()})  ${(best(noopNs) / n).toFixed(0)} ns/event`);
console.log(
  `ratio processor ÷ no-op      ${(best(procNs) / best(noopNs)).toFixed(1)}× the time per event (${(median(procNs) / median(noopNs)).toFixed(1)}× by medians)`,
);
console.log(
  `comments emitted in the last round: ${lastStats.comments} (error bursts and the like in the synthetic mix), detector errors: ${lastStats.detectorErrors}`,
);

events = null; // free the throughput workload before measuring memory

// Hot: as in a live pipeline, each event is written right after it was built (cache-warm).
// Batches of ~1,000 fresh events; only the write loops are timed; the no-op loop runs second on
// each batch (warmer still, so the ratio is conservative). Batch building is not timed.
{
  const hotProc = [];
  const hotNoop = [];
  const hotCpu = [];
  for (let r = 0; r < 3; r++) {
    const p = new CommentaryProcessor({ clock: systemClock });
    let procT = 0;
    let noopT = 0;
    let procCpu = 0;
    let count = 0;
    for (let k = 0; k < TURNS; k++) {
      for (let s0 = 0; s0 < SESSIONS; s0 += 64) {
        const batch = [];
        for (let s = s0; s < Math.min(SESSIONS, s0 + 64); s++) turn(batch, s, k, T0 + k * 5_000_000 + s * 1000);
        // Empty the young generation, so building the batch does not bill a scavenge to the loops.
        globalThis.gc?.({ type: 'minor' });
        const u0 = process.cpuUsage();
        procT += timeLoopNoGc(batch, p);
        const u = process.cpuUsage(u0);
        procCpu += (u.user + u.system) * 1000;
        noopT += timeLoopNoGc(batch, noop);
        count += batch.length;
      }
    }
    hotProc.push(procT / count);
    hotCpu.push(procCpu / count);
    hotNoop.push(noopT / count);
    await p.shutdown();
  }
  const bp = Math.min(...hotProc);
  const bn = Math.min(...hotNoop);
  console.log(`hot events (written right after being built, as live):`);
  console.log(
    `CommentaryProcessor.write   ${Math.round(1e9 / bp)
      .toLocaleString('en-US')
      .padStart(12)} events/s  ${bp.toFixed(0)} ns/event; goal ≥ 500,000`,
  );
  const bc = Math.min(...hotCpu);
  console.log(
    `  on CPU time (the process's, GC helper threads included: an upper bound on one core's cost) ${Math.round(1e9 / bc).toLocaleString('en-US')} events/s  ${bc.toFixed(0)} ns/event`,
  );
  console.log(
    `no-op sink loop (baseline)  ${Math.round(1e9 / bn)
      .toLocaleString('en-US')
      .padStart(12)} events/s  ${bn.toFixed(0)} ns/event`,
  );
  console.log(`ratio processor ÷ no-op      ${(bp / bn).toFixed(1)}× the time per event`);
}

// --- µs per event by event shape, this build against another (DEBBIE_COMMENTARY) ---

{
  const otherPath = process.env.DEBBIE_COMMENTARY;
  const other = otherPath ? await import(pathToFileURL(resolve(otherPath)).href) : null;
  const builds = [{ name: 'this build', Processor: CommentaryProcessor }];
  if (other) builds.push({ name: 'DEBBIE_COMMENTARY', Processor: other.CommentaryProcessor });
  const demo = [];
  for (let k = 0; k < 10; k++) for (let s = 0; s < SESSIONS; s++) turn(demo, s, k, T0 + k * 5_000_000 + s * 1000);
  const shapes = [
    { name: 'demo-shaped events', events: demo },
    { name: 'OTLP-shaped events', events: otlpShapedEvents(160_000) },
  ];
  const SHAPE_ROUNDS = 5;
  // per build and shape: the main thread's CPU ns per event of each round (wall time where /proc is missing)
  const per = builds.map(() => shapes.map(() => []));
  for (let r = 0; r < SHAPE_ROUNDS; r++)
    for (let b = 0; b < builds.length; b++)
      for (let k = 0; k < shapes.length; k++) {
        const p = new builds[b].Processor({ clock: systemClock });
        const events = shapes[k].events;
        globalThis.gc?.();
        const c0 = threadCpuNs();
        const t0 = cpuNow();
        for (let i = 0; i < events.length; i++) p.write(events[i]);
        const wall = cpuNow() - t0;
        const c = c0 === null ? null : threadCpuNs() - c0;
        per[b][k].push((c ?? wall) / events.length);
        await p.shutdown();
      }
  const us = (ns) => `${(ns / 1000).toFixed(2)} µs/event`;
  console.log(
    `per event shape (${threadCpuNs() === null ? 'wall time' : "the main thread's CPU time"}, best of ${SHAPE_ROUNDS} rounds${other ? ', builds alternating' : ''}):`,
  );
  for (let k = 0; k < shapes.length; k++) {
    const mine = Math.min(...per[0][k]);
    let line = `  ${shapes[k].name.padEnd(20)} (${shapes[k].events.length.toLocaleString('en-US')})  ${us(mine)} (median ${us(median(per[0][k]))})`;
    if (other) {
      const theirs = Math.min(...per[1][k]);
      line += `;  DEBBIE_COMMENTARY build ${us(theirs)} (median ${us(median(per[1][k]))});  ratio this ÷ that ${(mine / theirs).toFixed(2)} (${(theirs / mine).toFixed(1)}× as fast)`;
    }
    console.log(line);
  }
  const ratio = (b) => (Math.min(...per[b][1]) / Math.min(...per[b][0])).toFixed(1);
  console.log(`  OTLP-shaped ÷ demo-shaped: ${ratio(0)}× the cost per event${other ? ` (DEBBIE_COMMENTARY build ${ratio(1)}×)` : ''}`);
  if (!other) console.log('  (DEBBIE_COMMENTARY=<path to an older build of @debbie/commentary, dist/index.js> adds its figures on the same events)');
}

if (globalThis.gc === undefined) console.log('(run with --expose-gc, as bench/run.mjs does, for exact memory figures)');
void checksum;
