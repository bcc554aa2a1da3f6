import { describe, expect, it } from 'vitest';
import { epochMicros, type DebbieEvent } from '@debbie/model';
import { runScenario, type ScenarioRun } from '../runScenario.js';
import { SCENARIO_NAMES } from './index.js';
import { VARIANTS } from './Scenario.js';

const spans = (run: ScenarioRun, source: string) => run.events.filter((e) => e.kind === 'span' && e.source === source);
const us = (e: DebbieEvent) => epochMicros(e.timestamp);
const endUs = (e: DebbieEvent) => us(e) + (e.duration_ms ?? 0) * 1000;
const userTurns = (run: ScenarioRun) =>
  spans(run, 'user_script')
    .filter((e) => e.action === 'user_turn')
    .sort((a, b) => us(a) - us(b));
const toolsOf = (run: ScenarioRun, correlationId: string | null) => spans(run, 'tool').filter((e) => e.correlation_id === correlationId);
/** A message with numbers, hex ids and paths masked: what "similar errors" share. */
const shape = (msg: string) =>
  msg
    .replace(/'[^']*'/g, "'<path>'")
    .replace(/[0-9a-f]{8,}/g, '<id>')
    .replace(/\d+/g, '<n>');

describe('scenarios', () => {
  it('healthy: tools chained by True decisions, no fault, and every turn is one span tree', async () => {
    const run = await runScenario('healthy', { seed: 2 });
    expect(run.truth.faults).toEqual([]);
    const decisions = run.events.filter((e) => e.action === 'continuation_decision');
    expect(decisions.filter((d) => d.details.reason === 'no_continuation_signal')).toEqual([]);
    expect(decisions.some((d) => d.details.decision === true)).toBe(true);
    for (const turn of userTurns(run)) {
      const group = run.events.filter((e) => e.correlation_id === turn.correlation_id);
      const spanIds = new Set(group.filter((e) => e.kind === 'span').map((e) => e.event_id));
      const roots = group.filter((e) => !e.parent_id || !spanIds.has(e.parent_id));
      expect(roots).toEqual([turn]);
      expect(new Set(group.map((e) => e.trace_id)).size).toBe(1);
      expect(group.every((e) => e.session_id === run.sessionIds[0])).toBe(true);
      // user_script → websocket → session → agent → chat / tool
      const ws = group.find((e) => e.source === 'websocket' && e.kind === 'span')!;
      expect(ws.parent_id).toBe(turn.event_id);
      const session = group.find((e) => e.source === 'session' && e.kind === 'span')!;
      expect(session.parent_id).toBe(ws.event_id);
      const agent = group.find((e) => e.source === 'agent' && e.kind === 'span')!;
      expect(agent.parent_id).toBe(session.event_id);
      expect(['p', 't']).toContain(agent.agent_id);
      for (const e of group.filter((x) => x.kind === 'span' && (x.source === 'ai_service' || x.source === 'tool'))) expect(e.parent_id).toBe(agent.event_id);
    }
    const switched = run.events.find((e) => e.action === 'agent_switched')!;
    expect(switched.details).toEqual({ from: 'p', to: 't' });
    expect([switched.state_before, switched.state_after]).toEqual([{ agent_id: 'p' }, { agent_id: 't' }]);
    const tessaTurn = userTurns(run).at(-1)!;
    expect(spans(run, 'agent').find((e) => e.correlation_id === tessaTurn.correlation_id)?.agent_id).toBe('t');
    const chat = spans(run, 'ai_service')[0]!;
    expect(chat.details.model).toBeTypeOf('string');
    expect(chat.performance_metrics?.input_tokens).toBeGreaterThan(0);
    expect(chat.performance_metrics?.output_tokens).toBeGreaterThan(0);
    const tool = spans(run, 'tool')[0]!;
    expect(tool.details.tool_call_id).toMatch(/^toolu_/);
    expect(JSON.parse(tool.details.tool_arguments as string)).toBeTypeOf('object');
  });

  it('continuation-stall: tool → decision False → ≥45 s silence → six "ok" nudges, each with exactly one tool call', async () => {
    const run = await runScenario('continuation-stall', { seed: 4 });
    const session = run.sessionIds[0]!;
    const turns = userTurns(run);
    const firstTool = spans(run, 'tool')[0]!;
    const decision = run.events.find((e) => e.action === 'continuation_decision')!;
    expect(decision.details).toMatchObject({ decision: false, reason: 'no_continuation_signal', depth: 0 });
    expect([decision.state_before, decision.state_after]).toEqual([
      { agent_state: 'processing', depth: 0 },
      { agent_state: 'waiting_for_user', depth: 0 },
    ]);
    expect(us(decision)).toBeGreaterThanOrEqual(endUs(firstTool));
    const nudges = turns.filter((t) => t.details.message === 'ok');
    expect(nudges).toHaveLength(6);
    // Nothing at all happens in the session between the decision and the first nudge.
    const silence = run.events.filter((e) => e.session_id === session && us(e) > us(decision) && us(e) < us(nudges[0]!));
    expect(silence).toEqual([]);
    expect(us(nudges[0]!) - us(decision)).toBeGreaterThanOrEqual(45_000_000);
    for (const nudge of nudges) expect(toolsOf(run, nudge.correlation_id)).toHaveLength(1);
    const stall = run.truth.faults.find((f) => f.pattern === 'continuation_stall')!;
    expect(stall).toMatchObject({ session_id: session, tool: 'list_rfcs' });
    expect(stall.end_us - stall.start_us).toBeGreaterThanOrEqual(45_000_000);
    expect(run.truth.faults.find((f) => f.pattern === 'nudge_pattern')).toMatchObject({ count: 6, session_id: session });
  });

  it('tool-loop: the same tool with the same arguments again and again', async () => {
    const run = await runScenario('tool-loop', { seed: 5 });
    const tools = spans(run, 'tool').map((e) => `${String(e.details.tool_name)} ${String(e.details.tool_arguments)}`);
    const counts = new Map<string, number>();
    for (const t of tools) counts.set(t, (counts.get(t) ?? 0) + 1);
    const [repeated, times] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    expect(times).toBe(8);
    expect(repeated).toContain('search_code');
    expect(run.truth.faults).toEqual([expect.objectContaining({ pattern: 'tool_loop', tool: 'search_code', count: 8 })]);
  });

  it('error-burst: five tool errors whose messages differ only in numbers and paths', async () => {
    const run = await runScenario('error-burst', { seed: 6 });
    const errors = run.events.filter((e) => e.level === 'ERROR' && e.source === 'tool');
    expect(errors).toHaveLength(5);
    expect(new Set(errors.map((e) => e.event_summary)).size).toBe(5);
    expect(new Set(errors.map((e) => shape(e.event_summary))).size).toBe(1);
    const burst = run.truth.faults.find((f) => f.pattern === 'error_burst')!;
    expect(burst).toMatchObject({ count: 5, tool: 'read_file' });
    expect(errors.every((e) => us(e) >= burst.start_us && endUs(e) <= burst.end_us)).toBe(true);
  });

  it('near-duplicate-retry: one tool retried with drifting arguments, the same empty result each time', async () => {
    const run = await runScenario('near-duplicate-retry', { seed: 5 });
    const searches = spans(run, 'tool').filter((e) => e.details.tool_name === 'search_code');
    expect(searches).toHaveLength(6);
    expect(new Set(searches.map((e) => e.details.tool_arguments)).size).toBe(6);
    expect(new Set(searches.map((e) => e.details.result))).toEqual(new Set(['No matches found in src/ (214 files searched).']));
    expect(searches.every((e) => e.level !== 'ERROR')).toBe(true);
    const fault = run.truth.faults.find((f) => f.pattern === 'repetition')!;
    expect(fault).toMatchObject({ count: 6, tool: 'search_code' });
    expect(searches.every((e) => us(e) >= fault.start_us && endUs(e) <= fault.end_us)).toBe(true);
    expect(run.truth.faults.map((f) => f.pattern)).toEqual(['repetition']);
  });

  it('failing-tool: one tool failing again and again, each time with other arguments and another error', async () => {
    const run = await runScenario('failing-tool', { seed: 5 });
    const errors = run.events.filter((e) => e.level === 'ERROR' && e.source === 'tool' && e.kind === 'span');
    expect(errors).toHaveLength(5);
    expect(new Set(errors.map((e) => e.details.tool_name))).toEqual(new Set(['run_tests']));
    expect(new Set(errors.map((e) => e.details.tool_arguments)).size).toBe(5);
    // not one error in five shapes (that would be an error burst): five different causes
    expect(new Set(errors.map((e) => shape(String(e.details.error)).split(':')[0])).size).toBe(5);
    expect(run.truth.faults).toEqual([expect.objectContaining({ pattern: 'failing_tool', tool: 'run_tests', count: 5 })]);
  });

  it('slow-tool: one call takes ~25× the usual duration of its tool, and the truth says which and by how much', async () => {
    const run = await runScenario('slow-tool', { seed: 7, slowFactor: 25 });
    const searches = spans(run, 'tool').filter((e) => e.details.tool_name === 'search_code');
    const slowest = searches.reduce((a, b) => ((a.duration_ms ?? 0) > (b.duration_ms ?? 0) ? a : b));
    const others = searches.filter((e) => e !== slowest).map((e) => e.duration_ms ?? 0);
    expect(others.length).toBeGreaterThanOrEqual(5);
    expect(slowest.duration_ms).toBeGreaterThan(10 * Math.max(...others));
    expect(run.truth.slow).toMatchObject({ tool: 'search_code', expected_ms: 120, actual_ms: slowest.duration_ms, factor: 25 });
    expect(run.truth.faults).toEqual([expect.objectContaining({ pattern: 'slow_tool', tool: 'search_code', factor: 25 })]);
  });

  it('slow-model: one chat call far slower than the five before it', async () => {
    const run = await runScenario('slow-model', { seed: 7 });
    const chats = spans(run, 'ai_service');
    const slowest = chats.reduce((a, b) => ((a.duration_ms ?? 0) > (b.duration_ms ?? 0) ? a : b));
    const others = chats.filter((e) => e !== slowest).map((e) => e.duration_ms ?? 0);
    expect(slowest.duration_ms).toBeGreaterThan(10 * Math.max(...others));
    const fault = run.truth.faults.find((f) => f.pattern === 'slow_model')!;
    expect(fault.start_us).toBe(us(slowest));
    expect(fault.factor).toBeGreaterThan(10);
  });

  it('websocket-timeout: a >30 s turn times out on the client, a >1 s response, and an ignored id-less request', async () => {
    const run = await runScenario('websocket-timeout', { seed: 8 });
    const timeout = run.events.find((e) => e.source === 'user_script' && e.action === 'request_timeout')!;
    expect(timeout.level).toBe('ERROR');
    const turn = spans(run, 'websocket').find((e) => e.action === 'sendUserMessage' && (e.duration_ms ?? 0) > 30_000);
    expect(turn).toBeDefined();
    expect(run.events.some((e) => e.action === 'late_response')).toBe(true);
    const slow = spans(run, 'websocket').find((e) => e.action === 'session.current_agent')!;
    expect(slow.duration_ms).toBeGreaterThan(1_000);
    expect(run.events.some((e) => e.action === 'notification_ignored' && e.details.rpc_method === 'sendUserMessage')).toBe(true);
    expect(run.truth.faults.map((f) => f.pattern).sort()).toEqual(['ignored_request', 'request_timeout', 'websocket_slow']);
  });

  it('memory-spike: memory_mb jumps past 400 MB from a ~200 MB baseline', async () => {
    const run = await runScenario('memory-spike', { seed: 9 });
    const samples = run.events.filter((e) => e.performance_metrics?.memory_mb !== undefined).map((e) => e.performance_metrics!.memory_mb!);
    expect(Math.max(...samples)).toBeGreaterThan(400);
    expect(Math.min(...samples)).toBeLessThan(250);
    expect(run.truth.faults.map((f) => f.pattern)).toEqual(['memory_spike']);
  });

  it('empty-reply: an empty model reply leaves two user messages in a row', async () => {
    const run = await runScenario('empty-reply', { seed: 10 });
    const conversation = run.events
      .filter((e) => e.action === 'user_message' || e.action === 'ai_response')
      .map((e) => (e.action === 'user_message' ? 'user' : e.event_summary.includes('(empty)') ? 'empty' : 'ai'));
    expect(conversation.slice(0, 3)).toEqual(['user', 'empty', 'user']);
    expect(run.truth.faults.map((f) => f.pattern)).toEqual(['empty_reply']);
  });

  it('covers all six runtime sources plus user_script across the scenarios, with ids on every session event', async () => {
    const sources = new Set<string>();
    for (const name of SCENARIO_NAMES) {
      const run = await runScenario(name, { seed: 11 });
      for (const e of run.events) sources.add(e.source);
      expect(run.clockStats.forcedAdvances).toBe(0);
      const turnEvents = run.events.filter((e) => e.correlation_id?.includes('-turn-'));
      expect(turnEvents.every((e) => e.session_id && e.trace_id && e.span_id)).toBe(true);
      expect(turnEvents.filter((e) => ['agent', 'ai_service', 'tool'].includes(e.source)).every((e) => e.agent_id === 'p' || e.agent_id === 't')).toBe(true);
      expect(run.events.filter((e) => e.session_id === null).map((e) => e.source)).toEqual(['server', 'server', 'server', 'server']);
    }
    expect([...sources].sort()).toEqual(['agent', 'ai_service', 'server', 'session', 'tool', 'user_script', 'websocket']);
  });
});

/** Events with run-specific ids (span/trace ids, random per process) replaced by first-seen ordinals. */
function normalized(run: ScenarioRun): unknown[] {
  const ids = new Map<string, string>();
  const id = (v: string | null) => {
    if (v === null) return null;
    if (!ids.has(v)) ids.set(v, `#${ids.size}`);
    return ids.get(v)!;
  };
  return run.events.map((e) => ({
    ...e,
    event_id: id(e.event_id),
    trace_id: id(e.trace_id),
    span_id: id(e.span_id),
    parent_id: id(e.parent_id),
    parent_span_id: id(e.parent_span_id),
    details: JSON.parse(JSON.stringify(e.details).replace(/ws:\/\/127\.0\.0\.1:\d+/g, 'ws://127.0.0.1:PORT')),
    event_summary: e.event_summary.replace(/ws:\/\/127\.0\.0\.1:\d+/g, 'ws://127.0.0.1:PORT'),
  }));
}

describe('determinism', () => {
  it('gives the same events, timestamps and truth for one seed, and different ones for another', async () => {
    const a = await runScenario('continuation-stall', { seed: 21 });
    const b = await runScenario('continuation-stall', { seed: 21 });
    const c = await runScenario('continuation-stall', { seed: 22 });
    expect(normalized(b)).toEqual(normalized(a));
    expect(b.truth).toEqual(a.truth);
    expect(b.sessionIds).toEqual(a.sessionIds);
    expect(c.sessionIds).not.toEqual(a.sessionIds);
    expect(c.events.map((e) => e.timestamp)).not.toEqual(a.events.map((e) => e.timestamp));
  });

  it('is deterministic with concurrent sessions too', async () => {
    const a = await runScenario('tool-loop', { seed: 31, variant: 'concurrent' });
    const b = await runScenario('tool-loop', { seed: 31, variant: 'concurrent' });
    expect(normalized(b)).toEqual(normalized(a));
  });

  it('rejects unknown scenarios and bad options with a message naming them', async () => {
    await expect(runScenario('nope')).rejects.toThrow(/Unknown scenario "nope"/);
    await expect(runScenario('healthy', { variant: 'sideways' as never })).rejects.toThrow(/Unknown variant "sideways"/);
    await expect(runScenario('healthy', { jitter: 3 })).rejects.toThrow(/jitter/);
    await expect(runScenario('healthy', { sessions: 0 })).rejects.toThrow(/sessions/);
  });

  it('gives different scenarios different session ids under one seed (they share a store)', async () => {
    const a = await runScenario('healthy', { seed: 1 });
    const b = await runScenario('tool-loop', { seed: 1 });
    expect(a.sessionIds[0]).not.toBe(b.sessionIds[0]);
  });
});

describe('variants', () => {
  it('concurrent: three interleaved sessions, each with its own stall', async () => {
    const run = await runScenario('continuation-stall', { seed: 3, variant: 'concurrent' });
    expect(new Set(run.sessionIds).size).toBe(3);
    const stalls = run.truth.faults.filter((f) => f.pattern === 'continuation_stall');
    expect(new Set(stalls.map((f) => f.session_id))).toEqual(new Set(run.sessionIds));
    // Interleaved: consecutive events alternate between sessions somewhere in the stream.
    const order = run.events.filter((e) => e.session_id).map((e) => e.session_id);
    let switches = 0;
    for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) switches += 1;
    expect(switches).toBeGreaterThan(6);
  });

  it('idle-user: a long silence after a final answer is a decoy, not a stall', async () => {
    const run = await runScenario('healthy', { seed: 3, variant: 'idle-user' });
    expect(run.truth.faults).toEqual([]);
    const idle = run.truth.decoys.find((d) => d.pattern === 'idle_user')!;
    expect(idle.end_us - idle.start_us).toBeGreaterThanOrEqual(60_000_000);
  });

  it('noisy-errors: three unrelated errors far apart are decoys, not a burst', async () => {
    const run = await runScenario('healthy', { seed: 3, variant: 'noisy-errors' });
    const noisy = run.truth.decoys.filter((d) => d.pattern === 'noisy_error');
    expect(noisy).toHaveLength(3);
    expect(new Set(noisy.map((d) => shape(String(d.details?.error)))).size).toBe(3);
    expect(run.truth.faults).toEqual([]);
    for (let i = 1; i < noisy.length; i++) expect(noisy[i]!.start_us - noisy[i - 1]!.start_us).toBeGreaterThan(50_000_000);
  });

  it('paging: ten reads of one file at moving offsets, labelled as a decoy', async () => {
    const run = await runScenario('healthy', { seed: 3, variant: 'paging' });
    expect(run.truth.decoys.find((d) => d.pattern === 'long_paging')?.count).toBe(10);
    const reads = run.events.filter((e) => e.kind === 'span' && String(e.details.tool_arguments).includes('logs/session.log'));
    expect(new Set(reads.map((e) => e.details.tool_arguments)).size).toBe(10);
    // each page has other lines: progress a reader (and a repetition detector) can see
    expect(new Set(reads.map((e) => String(e.details.result).split('\n').slice(1).join('\n'))).size).toBe(10);
    expect(run.truth.faults).toEqual([]);
  });

  it('long-chain: eight tools chained by True decisions, labelled as a decoy', async () => {
    const run = await runScenario('healthy', { seed: 3, variant: 'long-chain' });
    expect(run.truth.decoys.find((d) => d.pattern === 'long_chain')?.count).toBe(8);
    expect(run.truth.faults).toEqual([]);
  });
});

describe('labelled corpus', () => {
  const expected: Record<string, string[]> = {
    healthy: [],
    'continuation-stall': ['continuation_stall', 'nudge_pattern'],
    'tool-loop': ['tool_loop'],
    'error-burst': ['error_burst'],
    'slow-tool': ['slow_tool'],
    'websocket-timeout': ['ignored_request', 'request_timeout', 'websocket_slow'],
    'memory-spike': ['memory_spike'],
    'empty-reply': ['empty_reply'],
    'slow-model': ['slow_model'],
    'near-duplicate-retry': ['repetition'],
    'failing-tool': ['failing_tool'],
  };
  const decoys: Record<string, string[]> = {
    default: [],
    concurrent: [],
    'long-chain': ['long_chain'],
    'idle-user': ['idle_user'],
    'noisy-errors': ['noisy_error'],
    paging: ['long_paging'],
  };

  it('labels every session of every scenario × variant with exactly its faults and decoys', async () => {
    expect(Object.keys(expected).sort()).toEqual([...SCENARIO_NAMES].sort());
    for (const name of SCENARIO_NAMES) {
      for (const variant of VARIANTS) {
        const run = await runScenario(name, { seed: 13, jitter: 0.3, variant });
        expect(run.sessionIds).toHaveLength(variant === 'concurrent' ? 3 : 1);
        for (const sid of run.sessionIds) {
          const faults = [...new Set(run.truth.faults.filter((f) => f.session_id === sid).map((f) => f.pattern))].sort();
          const found = [...new Set(run.truth.decoys.filter((f) => f.session_id === sid).map((f) => f.pattern))].sort();
          expect({ name, variant, faults, decoys: found }).toEqual({ name, variant, faults: expected[name], decoys: decoys[variant] });
        }
      }
    }
  });
});
