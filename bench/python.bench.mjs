// Python execution: end-to-end latency of a trivial script and of analyze_performance on 100k
// events, in the bubblewrap sandbox next to the same run without it (isolation 'none', still
// under prlimit) and next to a bare `python3 -c pass`, so the sandbox's cost shows as a ratio.
import { spawnSync } from 'node:child_process';
import { createEvent, isoFromEpochMillis } from '@debbie/model';
import { getLibraryScript, PythonExecutor } from '@debbie/python';

const PYTHON = '/usr/bin/python3';
const TRIVIAL_RUNS = 10;
const BIG_RUNS = 3;
const EVENTS = 100_000;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(runs, fn) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

/** A session-shaped mix: tool and AI spans, WebSocket traffic, memory samples, some errors. */
function syntheticSession(count) {
  const tools = ['list_rfcs', 'read_file', 'search_code', 'write_file', 'run_tests'];
  const events = [];
  const t0 = Date.UTC(2025, 5, 2, 21, 5, 0);
  for (let i = 0; i < count; i++) {
    const at = isoFromEpochMillis(t0 + i * 37);
    const kind = i % 10;
    const common = { timestamp: at, session_id: 'bench', agent_id: 'p', correlation_id: `turn-${Math.floor(i / 50)}` };
    if (kind < 3) {
      events.push(
        createEvent({
          ...common,
          source: 'tool',
          component: tools[i % 5],
          action: 'execute_tool',
          event_summary: `tool ${tools[i % 5]}`,
          duration_ms: 5 + (i % 97) * 3,
          details: { tool_name: tools[i % 5] },
          level: i % 101 === 0 ? 'ERROR' : 'INFO',
        }),
      );
    } else if (kind < 5) {
      events.push(
        createEvent({
          ...common,
          source: 'ai_service',
          action: 'chat',
          event_summary: 'chat',
          duration_ms: 300 + (i % 53) * 20,
          details: { model: i % 3 ? 'gpt-4o-mini' : 'claude-3' },
          performance_metrics: { input_tokens: 1000 + (i % 400), output_tokens: 100 + (i % 90) },
        }),
      );
    } else if (kind < 8) {
      events.push(
        createEvent({ ...common, source: 'websocket', action: 'notification', event_summary: 'StreamingUpdate', details: { rpc_method: 'StreamingUpdate' } }),
      );
    } else {
      events.push(
        createEvent({
          ...common,
          source: 'server',
          component: 'resource_monitor',
          action: 'resource_sample',
          event_summary: 'memory',
          performance_metrics: { memory_mb: 200 + (i % 300) },
        }),
      );
    }
  }
  return events;
}

const sandboxed = new PythonExecutor();
const bare = new PythonExecutor({ isolation: 'none' });
// The defaults (512 MB, 30 s) hold 100k events; the timeout is raised only so a slow machine does not fail the bench.
const bigSandboxed = new PythonExecutor({ timeoutMs: 120_000 });
const bigBare = new PythonExecutor({ isolation: 'none', timeoutMs: 120_000 });
const check = (r) => {
  if (r.error) throw new Error(r.error);
  return r;
};

/** Runs A and B alternately (after one warm-up each), so drift hits both alike; medians. */
async function pair(runs, a, b) {
  await a();
  await b();
  const ta = [],
    tb = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await a();
    ta.push(performance.now() - t);
    t = performance.now();
    await b();
    tb.push(performance.now() - t);
  }
  return [median(ta), median(tb)];
}

const baseline = await time(TRIVIAL_RUNS, async () => {
  const r = spawnSync(PYTHON, ['-c', 'pass']);
  if (r.status !== 0) throw new Error('python3 -c pass failed');
});
const [trivialBare, trivialBox] = await pair(
  TRIVIAL_RUNS,
  async () => check(await bare.execute('pass')),
  async () => check(await sandboxed.execute('pass')),
);

const events = syntheticSession(EVENTS);
const script = getLibraryScript('analyze_performance').source;
const parts = { none: [], sandbox: [] };
const big = async (executor, key) => {
  const t = performance.now();
  const r = check(await executor.execute(script, { logs: events }));
  // Node's share: writing the events as JSONL before the spawn and reading the result after it.
  parts[key].push({
    node: performance.now() - t - r.wall_time_ms,
    read: r.setup_time * 1000,
    body: r.execution_time * 1000,
    wall: r.wall_time_ms,
    spans: r.variables.result.span_count,
  });
};
const [bigBare100k, bigBox100k] = await pair(
  BIG_RUNS,
  () => big(bigBare, 'none'),
  () => big(bigSandboxed, 'sandbox'),
);

const row = (label, ms, base, baseLabel) => console.log(`${label.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms   ${(ms / base).toFixed(2)}× ${baseLabel}`);
console.log(`median of ${TRIVIAL_RUNS} (trivial) and ${BIG_RUNS} (100k) runs, A/B interleaved after a warm-up; ${PYTHON}`);
row('python3 -c pass (bare interpreter, baseline)', baseline, baseline, 'python3 -c pass');
row("trivial script, isolation 'none' (prlimit + prelude)", trivialBare, baseline, 'python3 -c pass');
row('trivial script, bubblewrap sandbox', trivialBox, trivialBare, "isolation 'none'");
row(`analyze_performance, ${EVENTS / 1000}k events, isolation 'none'`, bigBare100k, baseline, 'python3 -c pass');
row(`analyze_performance, ${EVENTS / 1000}k events, sandbox`, bigBox100k, bigBare100k, "isolation 'none'");
for (const [key, all] of Object.entries(parts)) {
  const runs = all.slice(1); // without the warm-up
  const m = (f) => median(runs.map(f)).toFixed(0);
  console.log(
    `  ${key.padEnd(8)} 100k breakdown (medians): Node writes the events ${m((p) => p.node)} ms; in Python: reading them ${m((p) => p.read)} ms, ` +
      `analysis ${m((p) => p.body)} ms; spawn to exit ${m((p) => p.wall)} ms (${runs[0].spans} spans)`,
  );
}
console.log(`sandbox overhead on a trivial script: ${(trivialBox - trivialBare).toFixed(0)} ms`);
