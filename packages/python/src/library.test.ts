import { describe, expect, it } from 'vitest';
import { handSession, HAND_SESSION_ID } from './handSession.fixture.js';
import { PythonExecutor } from './PythonExecutor.js';
import { getLibraryScript, LIBRARY_SCRIPT_NAMES, listLibraryScripts } from './ScriptLibrary.js';

type Result = Record<string, any>;

describe('ScriptLibrary', () => {
  it('lists the ten scripts of the seed, each with a summary', () => {
    const scripts = listLibraryScripts();
    expect(scripts.map((s) => s.name)).toEqual([...LIBRARY_SCRIPT_NAMES]);
    for (const s of scripts) expect(s.summary.length).toBeGreaterThan(10);
    expect(getLibraryScript('find_errors').params.map((p) => p.name)).toEqual(['burst_window_s', 'min_burst']);
  });

  it('names the choices when a script does not exist', () => {
    expect(() => getLibraryScript('nope')).toThrow(/no library script named "nope"; choose one of: analyze_performance/);
  });
});

// Every script runs twice: with pandas and with the standard-library fallback (pandas disabled),
// and both must give the same, hand-computed numbers for the hand-built session.
describe.concurrent.each([
  { engine: 'pandas', usePandas: true },
  { engine: 'stdlib', usePandas: false },
])('library scripts on a hand-built session ($engine)', ({ engine, usePandas }) => {
  const py = new PythonExecutor({ usePandas, timeoutMs: 30_000 });
  const run = async (name: string, params: Record<string, unknown> = {}): Promise<Result> => {
    const r = await py.execute(getLibraryScript(name).source, {
      logs: handSession(),
      params,
      session: { session_id: HAND_SESSION_ID },
      scriptName: name,
    });
    expect(r.error, `${r.error}\n${r.traceback}`).toBeNull();
    expect(r.output.length).toBeGreaterThan(0);
    const result = r.variables.result as Result;
    expect(result.engine).toBe(engine);
    return result;
  };

  it('every script copes with an empty session and with a single point event', async () => {
    const lone = handSession().filter((e) => e.event_id === 'n1');
    for (const name of LIBRARY_SCRIPT_NAMES) {
      for (const logs of [[], lone]) {
        const r = await py.execute(getLibraryScript(name).source, { logs });
        expect(r.error, `${name} on ${logs.length} events: ${r.error}\n${r.traceback}`).toBeNull();
        expect(r.variables.result, name).toBeTypeOf('object');
      }
    }
  });

  it('analyze_performance: per-tool and per-model stats, slow spans', async () => {
    const r = await run('analyze_performance');
    expect(r.span_count).toBe(14);
    expect(r.total_span_ms).toBe(27790);
    expect(r.tools.list_rfcs).toEqual({ count: 3, total_ms: 360, avg_ms: 120, p50_ms: 120, p95_ms: 138, max_ms: 140 });
    expect(r.tools.read_rfc).toEqual({ count: 1, total_ms: 2500, avg_ms: 2500, p50_ms: 2500, p95_ms: 2500, max_ms: 2500 });
    expect(r.models['gpt-4o']).toEqual({ count: 2, total_ms: 2000, avg_ms: 1000, p50_ms: 1000, p95_ms: 1450, max_ms: 1500 });
    expect(r.models['claude-3'].count).toBe(1);
    expect(r.operations['tool:execute_tool'].count).toBe(4);
    expect(r.slow_count).toBe(8);
    expect(r.slow_tools).toEqual(['read_rfc']);
    expect(r.slowest.slice(0, 3).map((s: Result) => s.duration_ms)).toEqual([5000, 5000, 4900]);
  });

  it('find_errors: groups similar errors, finds the burst, computes the rate', async () => {
    const r = await run('find_errors');
    expect(r.error_count).toBe(5);
    expect(r.error_rate).toBe(0.2);
    expect(r.by_source).toEqual({ server: 3, tool: 1, websocket: 1 });
    expect(r.groups[0]).toMatchObject({ signature: 'server/db: Database timeout after <n> ms (query <n>)', count: 3 });
    expect(r.groups).toHaveLength(3);
    expect(r.with_stack_trace).toBe(1);
    expect(r.bursts).toEqual([
      {
        signature: 'server/db: Database timeout after <n> ms (query <n>)',
        count: 3,
        start: '2025-05-29T10:00:51.200000+00:00',
        end: '2025-05-29T10:00:51.400000+00:00',
        span_s: 0.2,
      },
    ]);
  });

  it('trace_request: follows the correlation of the first error end to end', async () => {
    const r = await run('trace_request');
    expect(r.correlation_id).toBe('req-2');
    expect(r.event_count).toBe(8);
    expect(r.duration_ms).toBe(4210);
    expect(r.error_count).toBe(3);
    expect(r.sources).toEqual(['websocket', 'session', 'ai_service', 'tool', 'server', 'agent']);
    expect(r.hops).toBe(6);
    expect(r.by_source).toEqual({
      websocket: { events: 2, span_ms: 4200 },
      session: { events: 1, span_ms: 3000 },
      ai_service: { events: 1, span_ms: 800 },
      tool: { events: 2, span_ms: 260 },
      server: { events: 1, span_ms: 0 },
      agent: { events: 1, span_ms: 30 },
    });
  });

  it('trace_request: a given correlation id, with its span nesting', async () => {
    const r = await run('trace_request', { correlation_id: 'req-1' });
    expect(r.event_count).toBe(10);
    expect(r.duration_ms).toBe(5000);
    expect(r.max_depth).toBe(2);
    expect(r.steps.map((s: Result) => s.offset_ms).slice(0, 4)).toEqual([0, 0, 10, 20]);
  });

  it('memory_analysis: min/avg/max, growth, the spike and the largest rise', async () => {
    const r = await run('memory_analysis');
    expect(r).toMatchObject({ samples: 3, min_mb: 300, max_mb: 480, avg_mb: 376.667, first_mb: 300, last_mb: 350, growth_mb: 50, spike_count: 1 });
    expect(r.peak).toMatchObject({ event_id: 'm2', memory_mb: 480 });
    expect(r.largest_rise).toMatchObject({ delta_mb: 180, from_mb: 300, to: { event_id: 'm2' } });
    expect(r.by_component).toEqual({ resource_monitor: { samples: 3, max_mb: 480, avg_mb: 376.667 } });
  });

  it('token_usage_report: totals per model and agent, speed, largest calls', async () => {
    const r = await run('token_usage_report');
    expect(r.totals).toEqual({ calls: 3, input_tokens: 4500, output_tokens: 600, total_tokens: 5100, avg_tokens_per_call: 1700 });
    expect(r.by_model).toEqual({
      'gpt-4o': { calls: 2, input_tokens: 2500, output_tokens: 300, total_tokens: 2800, avg_tokens_per_call: 1400 },
      'claude-3': { calls: 1, input_tokens: 2000, output_tokens: 300, total_tokens: 2300, avg_tokens_per_call: 2300 },
    });
    expect(r.by_agent.p.total_tokens).toBe(5100);
    expect(r.output_tokens_per_second).toBe(214.286);
    expect(r.largest_calls.map((c: Result) => c.event_id)).toEqual(['ai3', 'ai2', 'ai1']);
  });

  it('agent_behavior_analysis: agents, the switch, the declined continuation, the stall and the nudge', async () => {
    const r = await run('agent_behavior_analysis');
    expect(r.agents.p).toMatchObject({ events: 11, turns: 1, ai_calls: 3, tool_calls: 4, errors: 1 });
    expect(r.agents.d).toMatchObject({ events: 2, turns: 1, ai_calls: 0, tool_calls: 0, errors: 0 });
    expect(r.switches).toEqual([{ from: 'p', to: 'd', at: '2025-05-29T10:00:52.960000+00:00' }]);
    expect(r.continuations_declined).toBe(1);
    expect(r.declined_reasons).toEqual({ no_continuation_signal: 1 });
    expect(r.stall_count).toBe(1);
    expect(r.stalls[0]).toMatchObject({
      duration_s: 45,
      after_event: 'CONTINUATION DECISION: False',
      after_action: 'continuation_decision',
      resumed_by: 'process message 2',
    });
    expect(r.nudges).toEqual([{ at: '2025-05-29T10:00:50+00:00', message: 'ok' }]);
  });

  it('tool_usage_patterns: calls, failures, transitions, streaks and loops', async () => {
    const r = await run('tool_usage_patterns', { loop_threshold: 2 });
    expect(r.tool_calls).toBe(4);
    expect(r.tools).toEqual({
      list_rfcs: { calls: 3, failures: 1, avg_ms: 120, total_ms: 360 },
      read_rfc: { calls: 1, failures: 0, avg_ms: 2500, total_ms: 2500 },
    });
    expect(r.transitions).toEqual([
      { from: 'list_rfcs', to: 'list_rfcs', count: 1 },
      { from: 'list_rfcs', to: 'read_rfc', count: 1 },
      { from: 'read_rfc', to: 'list_rfcs', count: 1 },
    ]);
    expect(r.longest_run).toEqual({ tool: 'list_rfcs', length: 2 });
    expect(r.loops).toMatchObject([{ tool: 'list_rfcs', count_in_window: 3, at_call: 3 }]);
  });

  it('session_replay: counts, duration, turns and the silence', async () => {
    const r = await run('session_replay');
    expect(r.event_count).toBe(25);
    expect(r.told).toBe(24);
    expect(r.duration_s).toBe(54.21);
    expect(r.turns).toBe(2);
    expect(r.by_source).toEqual({ websocket: 5, session: 5, agent: 2, ai_service: 3, tool: 4, server: 6 });
    expect(r.by_level).toEqual({ INFO: 17, ERROR: 5, WARNING: 2, DEBUG: 1 });
    expect(r.gaps).toEqual([{ after_s: 5, duration_s: 45 }]);
  });

  it('state_diff_analysis: added, removed and changed paths; the no-op', async () => {
    const r = await run('state_diff_analysis');
    expect(r.transitions).toBe(2);
    expect(r.no_op_transitions).toBe(1);
    expect([r.paths_added, r.paths_removed, r.paths_changed]).toEqual([1, 1, 2]);
    expect(r.changes[0]).toMatchObject({
      event_id: 'sw',
      added: ['debug'],
      removed: ['pending'],
      changed: [
        { path: 'agent', before: 'p', after: 'd' },
        { path: 'context.depth', before: 1, after: 2 },
      ],
    });
  });

  it('websocket_message_flow: requests, notifications, errors, slow and timed-out responses', async () => {
    const r = await run('websocket_message_flow', { timeout_ms: 4000 });
    expect(r).toMatchObject({ messages: 5, requests: 3, notifications: 2, errors: 1, slow_count: 3, timed_out: 1, messages_per_minute: 5.659 });
    expect(r.by_method).toEqual({
      sendUserMessage: { messages: 2, requests: 2, notifications: 0, errors: 0, avg_ms: 4000, max_ms: 5000 },
      StreamingUpdate: { messages: 2, requests: 0, notifications: 2, errors: 0, avg_ms: null, max_ms: null },
      'session.switch_agent': { messages: 1, requests: 1, notifications: 0, errors: 1, avg_ms: 1200, max_ms: 1200 },
    });
    expect(r.slow.map((s: Result) => s.duration_ms)).toEqual([5000, 3000, 1200]);
  });
});
