import type { DebbieEvent } from '@debbie/model';
import { beforeAll, describe, expect, it } from 'vitest';
// The simulator is an example package (not aliased by vitest): import its source directly.
import { runScenario, type ScenarioRun } from '../../aiwhisperer-sim/src/index.js';
import { PythonExecutor } from './PythonExecutor.js';
import { getLibraryScript } from './ScriptLibrary.js';

type Result = Record<string, any>;
const SCENARIOS = ['healthy', 'continuation-stall', 'tool-loop', 'error-burst', 'slow-tool', 'websocket-timeout', 'memory-spike'] as const;

// Independent TypeScript arithmetic over the same events, to check the scripts' numbers.
const ms = (iso: string) => Date.parse(iso);
const startMs = (e: DebbieEvent) => ms(e.timestamp) + Number(e.timestamp.slice(23, 26)) / 1000;
const endMs = (e: DebbieEvent) => startMs(e) + (e.duration_ms ?? 0);
const isError = (e: DebbieEvent) => e.level === 'ERROR' || e.level === 'CRITICAL';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const toolSpans = (events: DebbieEvent[]) => events.filter((e) => e.source === 'tool' && e.duration_ms !== null);

const runs = new Map<string, { run: ScenarioRun; events: DebbieEvent[] }>();

beforeAll(async () => {
  for (const name of SCENARIOS) {
    const run = await runScenario(name, { seed: 1 });
    const sessionId = run.sessionIds[0]!;
    // What `debbie run-script --session ID` hands the script: the session's events.
    runs.set(name, { run, events: run.events.filter((e) => e.session_id === sessionId) });
  }
});

describe.concurrent.each([
  { engine: 'pandas', usePandas: true },
  { engine: 'stdlib', usePandas: false },
])('library scripts on simulator sessions ($engine)', ({ engine, usePandas }) => {
  const py = new PythonExecutor({ usePandas });
  const run = async (name: string, scenario: (typeof SCENARIOS)[number], params: Record<string, unknown> = {}) => {
    const { events } = runs.get(scenario)!;
    const r = await py.execute(getLibraryScript(name).source, { logs: events, params, session: { session_id: events[0]!.session_id } });
    expect(r.error, `${r.error}\n${r.traceback}`).toBeNull();
    const result = r.variables.result as Result;
    expect(result.engine).toBe(engine);
    return { result, events, truth: runs.get(scenario)!.run.truth };
  };

  it('analyze_performance finds the slow tool of slow-tool with its true duration', async () => {
    const { result, events, truth } = await run('analyze_performance', 'slow-tool');
    const slow = truth.slow!;
    expect(result.tools[slow.tool].max_ms).toBe(slow.actual_ms);
    const toolOps = result.slowest.filter((s: Result) => s.source === 'tool');
    expect(toolOps[0]).toMatchObject({ name: slow.tool, duration_ms: slow.actual_ms });
    for (const [tool, stats] of Object.entries(result.tools as Record<string, Result>)) {
      const mine = toolSpans(events)
        .filter((e) => e.details.tool_name === tool)
        .map((e) => e.duration_ms!);
      expect(stats.count).toBe(mine.length);
      expect(stats.total_ms).toBeCloseTo(sum(mine), 3);
    }
    expect(result.span_count).toBe(events.filter((e) => e.duration_ms !== null).length);
  });

  it('find_errors groups the error burst of error-burst as one error, as often as it happened', async () => {
    const { result, events, truth } = await run('find_errors', 'error-burst');
    const burst = truth.faults.find((f) => f.pattern === 'error_burst')!;
    expect(result.error_count).toBe(events.filter(isError).length);
    expect(result.groups[0].count).toBe(burst.count);
    expect(result.groups[0].signature).toMatch(/^tool\/read_file: Tool read_file failed: FileNotFoundError/);
    expect(result.bursts).toHaveLength(1);
    expect(result.bursts[0].count).toBe(burst.count);
    expect(ms(result.bursts[0].start)).toBeGreaterThanOrEqual(ms(burst.start));
    expect(ms(result.bursts[0].end)).toBeLessThanOrEqual(ms(burst.end));
  });

  it('trace_request follows the busiest turn of tool-loop end to end', async () => {
    const { events } = runs.get('tool-loop')!;
    const counts = new Map<string, number>();
    for (const e of events) if (e.correlation_id) counts.set(e.correlation_id, (counts.get(e.correlation_id) ?? 0) + 1);
    const [cid, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const { result } = await run('trace_request', 'tool-loop', { correlation_id: cid });
    const group = events.filter((e) => e.correlation_id === cid);
    expect(result.event_count).toBe(n);
    expect(result.duration_ms).toBeCloseTo(Math.max(...group.map(endMs)) - Math.min(...group.map(startMs)), 2);
    expect(result.by_source.tool.events).toBe(group.filter((e) => e.source === 'tool').length);
    expect(result.error_count).toBe(group.filter(isError).length);
  });

  it('memory_analysis reports the spike of memory-spike at its true size', async () => {
    const { result, events, truth } = await run('memory_analysis', 'memory-spike');
    const spike = truth.faults.find((f) => f.pattern === 'memory_spike')!;
    const samples = events.filter((e) => typeof e.performance_metrics?.memory_mb === 'number').map((e) => e.performance_metrics!.memory_mb!);
    expect(result.samples).toBe(samples.length);
    expect(result.max_mb).toBe(spike.details!.memory_mb);
    expect(result.spike_count).toBe(samples.filter((m) => m > 400).length);
    expect(result.avg_mb).toBeCloseTo(sum(samples) / samples.length, 3);
  });

  it('token_usage_report adds up the tokens of healthy', async () => {
    const { result, events } = await run('token_usage_report', 'healthy');
    const calls = events.filter((e) => e.source === 'ai_service' && e.performance_metrics?.input_tokens !== undefined);
    const input = sum(calls.map((e) => e.performance_metrics!.input_tokens!));
    const output = sum(calls.map((e) => e.performance_metrics!.output_tokens ?? 0));
    expect(calls.length).toBeGreaterThan(0);
    expect(result.totals).toMatchObject({ calls: calls.length, input_tokens: input, output_tokens: output, total_tokens: input + output });
    expect(Object.keys(result.by_model)).toEqual([...new Set(calls.map((e) => e.details.model))]);
  });

  it('agent_behavior_analysis finds the stall of continuation-stall and its six "ok" nudges', async () => {
    const { result, truth } = await run('agent_behavior_analysis', 'continuation-stall');
    const stall = truth.faults.find((f) => f.pattern === 'continuation_stall')!;
    const nudges = truth.faults.find((f) => f.pattern === 'nudge_pattern')!;
    expect(result.stall_count).toBe(1);
    expect(result.stalls[0].duration_s).toBeCloseTo((stall.details!.silence_ms as number) / 1000, 0);
    // The silence follows the declined continuation, as in the continuation issue.
    expect(result.stalls[0].after_action).toBe('continuation_decision');
    expect(result.nudges).toHaveLength(nudges.count!);
    expect(result.continuations_declined).toBeGreaterThanOrEqual(1);
    expect(result.declined_reasons.no_continuation_signal).toBeGreaterThanOrEqual(1);
  });

  it('tool_usage_patterns flags the loop of tool-loop on the right tool', async () => {
    const { result, events, truth } = await run('tool_usage_patterns', 'tool-loop');
    const loop = truth.faults.find((f) => f.pattern === 'tool_loop')!;
    expect(result.loops[0].tool).toBe(loop.tool);
    expect(result.loops[0].count_in_window).toBeGreaterThanOrEqual(loop.count!);
    expect(result.tools[loop.tool!].calls).toBe(toolSpans(events).filter((e) => e.details.tool_name === loop.tool).length);
    expect(result.tool_calls).toBe(toolSpans(events).length);
  });

  it('session_replay tells all of healthy: events, duration, turns', async () => {
    const { result, events } = await run('session_replay', 'healthy');
    expect(result.event_count).toBe(events.length);
    expect(result.told).toBe(events.filter((e) => e.level !== 'DEBUG').length);
    expect(result.duration_s).toBeCloseTo((Math.max(...events.map(endMs)) - Math.min(...events.map(startMs))) / 1000, 3);
    expect(result.turns).toBe(events.filter((e) => e.action === 'process_message' && e.duration_ms !== null).length);
    expect(result.by_source.websocket).toBe(events.filter((e) => e.source === 'websocket').length);
  });

  it('state_diff_analysis counts the state transitions the simulator records (it records none)', async () => {
    const { result, events } = await run('state_diff_analysis', 'continuation-stall');
    expect(result.transitions).toBe(events.filter((e) => e.state_before !== null && e.state_after !== null).length);
  });

  it('websocket_message_flow shows the slow response and the timed-out request of websocket-timeout', async () => {
    const { result, events, truth } = await run('websocket_message_flow', 'websocket-timeout');
    const slow = truth.faults.find((f) => f.pattern === 'websocket_slow')!;
    const timeouts = truth.faults.filter((f) => f.pattern === 'request_timeout');
    expect(result.by_method[slow.details!.rpc_method as string].max_ms).toBe(slow.details!.response_ms);
    expect(result.timed_out).toBe(timeouts.length);
    const ws = events.filter((e) => e.source === 'websocket');
    expect(result.messages).toBe(ws.length);
    expect(result.requests).toBe(ws.filter((e) => e.duration_ms !== null).length);
    expect(result.slow_count).toBe(ws.filter((e) => (e.duration_ms ?? 0) > 1000).length);
  });
});
