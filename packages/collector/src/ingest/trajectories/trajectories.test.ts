import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DebbieEvent, EventSink } from '@debbie/model';
import { ingestFile } from '../ingestFile.js';
import { detectTrajectory } from './agentTrajectory.js';
import { SYNTHETIC_EPOCH_MICROS } from './TrajectoryEvents.js';
import { PUBLIC_DATA } from '../../../../../test/sharedData.js';

// Real runs of OpenHands and SWE-agent, copied from their public repositories (see the README there).
const PUBLIC = PUBLIC_DATA;
const OH_EVAL = `${PUBLIC}/openhands/evaluation/benchmarks/multi_swe_bench/examples/output.jsonl`;
const OH_TRAJS = `${PUBLIC}/openhands/tests/runtime/trajs`;
const OH_RESOLVER = `${PUBLIC}/openhands/tests/unit/resolver/mock_output/output.jsonl`;
const SWE = `${PUBLIC}/swe_agent`;

function trajFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? trajFiles(p) : name.endsWith('.traj') ? [p] : [];
  });
}

async function ingest(path: string, extra: { sessionId?: string } = {}): Promise<{ events: DebbieEvent[]; result: Awaited<ReturnType<typeof ingestFile>> }> {
  const events: DebbieEvent[] = [];
  const sink: EventSink = { write: (e) => void events.push(e), forceFlush: async () => {}, shutdown: async () => {} };
  const result = await ingestFile(path, { sink, ...extra });
  return { events, result };
}

const by = (events: DebbieEvent[], source: string, action: string) => events.filter((e) => e.source === source && e.action === action);

describe('OpenHands runs', () => {
  it('reads the evaluation output.jsonl: three sessions with steps, tools, model calls with tokens, errors and outcomes', async () => {
    const { events, result } = await ingest(OH_EVAL);
    expect(result).toMatchObject({ format: 'openhands', lines: 3, unparseable: 0, rejected: 0 });
    const sessions = [...new Set(events.map((e) => e.session_id))];
    expect(sessions).toHaveLength(3);
    expect(sessions.every((s) => /^ponylang__ponyc-45\d\d-[0-9a-f]{8}$/.test(s!))).toBe(true);

    const ends = by(events, 'session', 'session_end');
    expect(ends.map((e) => e.details.outcome)).toEqual(['finished', 'finished', 'max_iterations']);
    const limit = ends[2]!;
    expect(limit.level).toBe('ERROR');
    expect(limit.event_summary).toMatch(/maximum iteration/);
    expect(limit.performance_metrics).toMatchObject({ input_tokens: 938015, output_tokens: 5627 });
    expect(ends[1]!.details.task_completed).toBe('false');

    // Model calls: the run's own tokens and latency (the call ends when the action is created).
    const calls = by(events, 'ai_service', 'llm_call').filter((e) => e.session_id === sessions[0]);
    expect(calls[0]).toMatchObject({
      kind: 'span',
      component: 'meta-llama/llama-4-maverick',
      timestamp: '2025-04-30T16:32:54.764683Z',
      duration_ms: 3056.952,
      performance_metrics: { input_tokens: 5920, output_tokens: 128, total_tokens: 6048 },
      details: { model: 'meta-llama/llama-4-maverick', response_id: 'gen-1746001974-alxKxkQSJ8j9QsfNTvnX', step: 1 },
    });
    // Tool calls: name and the model's arguments; they last until their observation.
    const tools = by(events, 'tool', 'tool_call').filter((e) => e.session_id === sessions[0]);
    expect(tools[0]).toMatchObject({
      kind: 'span',
      component: 'execute_bash',
      timestamp: '2025-04-30T16:32:57.821635Z',
      duration_ms: 619.637,
      details: { tool_name: 'execute_bash', tool_arguments: '{"command": "ls -l /workspace/ponylang__ponyc__0.1"}', exit_code: 0, observation_type: 'run' },
    });
    expect(tools[0]!.correlation_id).toBe(calls[0]!.correlation_id);
    // Errors: a failed edit is an ERROR tool call, a non-zero exit code a WARNING with the code.
    const failedEdit = by(events, 'tool', 'tool_call').find((e) => e.level === 'ERROR' && e.component === 'str_replace_editor');
    expect(failedEdit?.details.error).toMatch(/\S/);
    expect(failedEdit?.event_summary).toBe(`str_replace_editor failed: ${failedEdit?.details.error as string}`);
    const nonZero = by(events, 'tool', 'tool_call').find((e) => e.level === 'WARNING');
    expect(nonZero?.details.error).toMatch(/^exit code [1-9]/);
    expect(events.filter((e) => e.action === 'observation_error' && e.level === 'ERROR')).toHaveLength(2);
    // Steps: one per model response, numbered; every event is a real timestamp of the run.
    const steps = by(events, 'agent', 'agent_step').filter((e) => e.session_id === sessions[2]);
    expect(steps.map((e) => e.details.step)).toEqual(steps.map((_, i) => i + 1));
    expect(events.some((e) => e.details.timestamp_synthetic)).toBe(false);
    expect(by(events, 'agent', 'user_message')).toHaveLength(3);
  });

  it('reads the trajectory JSON lists, with the final outcome of each', async () => {
    const outcomes: Record<string, unknown> = {};
    for (const name of readdirSync(OH_TRAJS)) {
      const { events, result } = await ingest(join(OH_TRAJS, name));
      expect(result.format).toBe('openhands');
      expect(new Set(events.map((e) => e.session_id)).size).toBe(1);
      outcomes[name] = by(events, 'session', 'session_end')[0]!.details.outcome;
    }
    expect(outcomes).toEqual({
      'basic.json': 'finished',
      'basic_gui_mode.json': 'no_finish',
      'basic_interactions.json': 'finished',
      'wrong_initial_state.json': 'finished',
    });
    const { events } = await ingest(join(OH_TRAJS, 'wrong_initial_state.json'));
    expect(by(events, 'tool', 'tool_call').map((e) => e.details.tool_name)).toEqual(['str_replace_editor', 'execute_bash', 'str_replace_editor']);
    expect(by(events, 'session', 'session_end')[0]!.event_summary).toMatch(/^Run finished: The file has been successfully renamed/);
  });

  it('reads resolver output without timestamps on a synthetic clock, said so in every event, with per-call cost', async () => {
    const { events, result } = await ingest(OH_RESOLVER);
    expect(result).toMatchObject({ format: 'openhands', lines: 2, unparseable: 0 });
    expect(events.every((e) => e.details.timestamp_synthetic === true)).toBe(true);
    expect(events[0]!.timestamp).toBe('2000-01-01T00:00:00.000000Z');
    expect([...new Set(events.map((e) => e.session_id!.replace(/-[0-9a-f]{8}$/, '')))]).toEqual(['neubig/pr-viewer#5', 'neubig/pr-viewer#1']);
    const first = events.filter((e) => e.session_id!.startsWith('neubig/pr-viewer#5'));
    expect(by(first, 'ai_service', 'llm_call').map((e) => e.performance_metrics?.cost)).toEqual([0.015396, 0.019719, 0.016742999999999997, 0.018855]);
    // A synthetic clock measures nothing: tool calls have no duration.
    expect(by(first, 'tool', 'tool_call').every((e) => e.duration_ms === null && e.details.duration_unknown === true)).toBe(true);
    expect(by(first, 'tool', 'tool_call')[0]!.details).toMatchObject({ tool_name: 'run', tool_arguments: '{"command":"touch LICENSE"}', exit_code: 0 });
    expect(by(first, 'session', 'session_end')[0]!.details).toMatchObject({ outcome: 'finished', success: true, accumulated_cost: 0.070713 });
  });
});

describe('SWE-agent trajectories', () => {
  const files = trajFiles(SWE);

  it('reads every public .traj as one session that submitted, steps and tools in order', async () => {
    expect(files).toHaveLength(5);
    const sessions = new Set<string>();
    for (const f of files) {
      const { events, result } = await ingest(f);
      const traj = JSON.parse(readFileSync(f, 'utf8')) as { trajectory: { action: string }[]; info: { exit_status: string } };
      expect(result).toMatchObject({ format: 'swe-agent', unparseable: 0, rejected: 0 });
      const ids = new Set(events.map((e) => e.session_id));
      expect(ids.size).toBe(1);
      sessions.add([...ids][0]!);
      const tools = by(events, 'tool', 'tool_call');
      expect(
        tools.map((e) => (e.details.tool_arguments === undefined ? '' : `${e.details.tool_name as string} ${e.details.tool_arguments as string}`.trim())),
      ).toEqual(traj.trajectory.map((s) => s.action.trim()));
      expect(by(events, 'ai_service', 'llm_call')).toHaveLength(traj.trajectory.length);
      const end = by(events, 'session', 'session_end')[0]!;
      expect(end).toMatchObject({ level: 'INFO', details: { exit_status: 'submitted', outcome: 'submitted', steps: traj.trajectory.length } });
      // No time in the file: synthetic, increasing, flagged.
      expect(events.every((e) => e.details.timestamp_synthetic === true)).toBe(true);
      const times = events.map((e) => e.timestamp);
      expect([...times].sort()).toEqual(times);
      expect(Date.parse(times[0]!) * 1000).toBe(SYNTHETIC_EPOCH_MICROS);
    }
    // The two marshmallow demonstrations share a file name but are different runs.
    expect(sessions.size).toBe(5);
  });

  it('keeps the run totals and per-step execution time where the file has them', async () => {
    const f = files.find((p) => p.includes('pydicom'))!;
    const { events } = await ingest(f);
    expect(by(events, 'session', 'session_end')[0]!.performance_metrics).toEqual({ input_tokens: 122612, output_tokens: 1369, api_calls: 12, cost: 1.26719 });
    expect(events[0]!.session_id).toMatch(/^pydicom__pydicom-1458-[0-9a-f]{8}$/);
    const v1 = files.find((p) => p.includes('function_calling'))!;
    const run = await ingest(v1);
    const first = by(run.events, 'tool', 'tool_call')[0]!;
    expect(first).toMatchObject({ component: 'ls', duration_ms: 116.056, details: { tool_name: 'ls', tool_arguments: '-F' } });
  });

  it('flags SWE-agent error messages as failed tool calls', async () => {
    const { events } = await ingest(files.find((p) => p.includes('pydicom'))!);
    const failed = by(events, 'tool', 'tool_call').filter((e) => e.level === 'ERROR');
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) expect(String(e.details.error)).toMatch(/syntax error|Usage|Error|not found|timed out|replacement/i);
  });
});

describe('agent runs: detection, ids, --session', () => {
  it('detects only real runs', () => {
    expect(detectTrajectory({ history: [{ action: 'run', args: {} }] })).toBe('openhands');
    expect(detectTrajectory({ trajectory: [{ action: 'ls', observation: '' }], info: {} })).toBe('swe-agent');
    expect(detectTrajectory([{ timestamp: 'x', source: 'tool', event_summary: 'y' }])).toBeUndefined();
    expect(detectTrajectory({ resourceSpans: [] })).toBeUndefined();
  });

  it('gives the same ids on a second conversion; --session replaces the session (and makes them other events)', async () => {
    const a = await ingest(OH_EVAL);
    expect((await ingest(OH_EVAL)).events.map((e) => e.event_id)).toEqual(a.events.map((e) => e.event_id));
    expect(new Set(a.events.map((e) => e.event_id)).size).toBe(a.events.length);
    const b = await ingest(OH_EVAL, { sessionId: 'mine' });
    expect(new Set(b.events.map((e) => e.session_id))).toEqual(new Set(['mine']));
    expect(b.events.filter((e, i) => e.event_id === a.events[i]!.event_id)).toEqual([]);
  });

  it('an explicit format refuses the other kind of file', async () => {
    const events: DebbieEvent[] = [];
    const sink: EventSink = { write: (e) => void events.push(e), forceFlush: async () => {}, shutdown: async () => {} };
    const r = await ingestFile(OH_RESOLVER, { sink, format: 'swe-agent' });
    expect(r.unparseable).toBe(2);
    expect(events[0]!.details.reason).toMatch(/holds a openhands run, not swe-agent/);
  });
});
