import type { LogLevel } from '@debbie/model';
import {
  clip,
  firstLine,
  shortHash,
  SYNTHETIC_EPOCH_MICROS,
  TrajectoryEventBuilder,
  type TrajectoryOptions,
  type TrajectoryResult,
} from './TrajectoryEvents.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;

/** A SWE-agent trajectory (`.traj`): `trajectory[]` of {action, observation, response, thought} and `info`. */
export function isSweAgentTrajectory(value: unknown): boolean {
  if (!isObj(value) || !Array.isArray(value.trajectory) || !isObj(value.info)) return false;
  const first = value.trajectory[0];
  return value.trajectory.length === 0 || (isObj(first) && ('action' in first || 'observation' in first));
}

// SWE-agent's own messages for a command that did not run as the model meant (not the program's output:
// a traceback of the reproduction script is the expected result of reproducing a bug).
const TOOL_ERRORS: readonly RegExp[] = [
  /Your proposed edit has introduced new syntax error/i,
  /^Usage: /m,
  /command not found/i,
  /^Error: /m,
  /^ERROR: /m,
  /No replacement was performed/i,
  /Invalid (?:command|action|format)/i,
  /EXECUTION TIMED OUT|timed out/i,
];

// exit_status values that end a run without a normal submission.
function exitLevel(status: string): LogLevel {
  if (status === 'submitted') return 'INFO';
  if (/^submitted \(/.test(status)) return 'WARNING'; // autosubmitted after a limit: e.g. "submitted (exit_cost)"
  return status ? 'ERROR' : 'WARNING';
}

/** A v1 replay config, parsed. */
function replayConfig(traj: Obj): Obj | undefined {
  const rc = traj.replay_config;
  if (typeof rc !== 'string') return isObj(rc) ? rc : undefined;
  try {
    const v = JSON.parse(rc) as unknown;
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The instance id of a v1 replay config (problem_statement.id). */
function problemId(traj: Obj): string | undefined {
  const ps = replayConfig(traj)?.problem_statement;
  return isObj(ps) ? str(ps.id) : undefined;
}

/** The model named in a v1 replay config (not in older trajectories). */
function modelName(traj: Obj): string | undefined {
  const config = replayConfig(traj);
  if (!isObj(config) || !isObj(config.agent) || !isObj(config.agent.model)) return undefined;
  return str(config.agent.model.name);
}

/**
 * Converts a SWE-agent trajectory into DebbieEvents: `session_start` with the task (the first user
 * message of `history`), per step an `agent_step` (thought), an `llm_call` span (source ai_service;
 * SWE-agent records no per-call tokens or time, so the call has no duration and the run's totals from
 * `info.model_stats` go on `session_end`) and a `tool_call` span (tool name = the command's first word,
 * arguments = the rest, observation text, `execution_time` as duration when recorded; level ERROR when
 * the observation is one of SWE-agent's error messages), then `session_end` with `exit_status`
 * (submitted, exit_cost, exit_context, exit_format, …), the submission and the token and cost totals.
 * SWE-agent trajectories carry no timestamps: every event gets one from a synthetic clock in step
 * order (one second per step plus the recorded execution time), flagged `timestamp_synthetic`.
 */
export function sweAgentEvents(value: unknown, opts: TrajectoryOptions): TrajectoryResult {
  const traj = value as Obj;
  const info = traj.info as Obj;
  const steps = traj.trajectory as unknown[];
  const history = Array.isArray(traj.history) ? traj.history.filter(isObj) : [];
  // A --session override is part of what was ingested: the same run under another session is other events.
  const runKey = shortHash(`${opts.sessionId ?? ''}\u0000${JSON.stringify(value)}`, 32);
  const task = history.find((m) => m.role === 'user');
  const taskText = str(task?.content) ?? '';
  const instance = str(info.instance_id) ?? problemId(traj) ?? opts.runName;
  const sessionId = opts.sessionId ?? `${instance ?? 'swe-agent'}-${runKey.slice(0, 8)}`;
  const model = modelName(traj);
  const b = new TrajectoryEventBuilder(runKey, sessionId, { agent_id: 'swe-agent', service_name: 'swe-agent', framework: 'swe-agent', synthetic: true });
  let clock = opts.syntheticStartMicros ?? SYNTHETIC_EPOCH_MICROS;
  let rejected = 0;

  b.add(clock, {
    source: 'session',
    component: 'swe-agent',
    action: 'session_start',
    kind: 'log',
    event_summary: `SWE-agent run started${model ? ` (${model})` : ''}${taskText ? `: ${firstLine(taskText.replace(/^\s*(?:We're currently solving the following issue within our repository\. Here's the issue text:\s*)?(?:ISSUE:)?\s*/i, ''))}` : ''}`,
    details: {
      ...(model ? { model } : {}),
      ...(taskText ? { instruction: clip(taskText, 2000) } : {}),
      ...(str(traj.environment) ? { environment: traj.environment } : {}),
    },
  });
  if (taskText) {
    b.add(clock, {
      source: 'agent',
      component: 'swe-agent',
      action: 'user_message',
      kind: 'log',
      event_summary: firstLine(taskText),
      details: { message: clip(taskText) },
    });
  }

  steps.forEach((raw, i) => {
    if (!isObj(raw)) {
      rejected += 1;
      return;
    }
    const step = i + 1;
    const correlation = `${sessionId}-step-${step}`;
    const thought = str(raw.thought) ?? str(raw.response) ?? '';
    const action = (str(raw.action) ?? '').trim();
    const observation = str(raw.observation) ?? '';
    clock += 1_000_000; // one synthetic second per step
    b.add(clock, {
      source: 'agent',
      component: 'swe-agent',
      action: 'agent_step',
      kind: 'log',
      correlation_id: correlation,
      event_summary: `Step ${step}${thought ? `: ${firstLine(thought)}` : ''}`,
      details: { step, ...(thought ? { thought: clip(thought) } : {}) },
    });
    b.add(clock, {
      source: 'ai_service',
      component: model ?? 'model',
      action: 'llm_call',
      kind: 'span',
      correlation_id: correlation,
      event_summary: `Model call${model ? ` ${model}` : ''} → ${firstLine(action, 120)}`,
      details: { step, ...(model ? { model } : {}), duration_unknown: true, ...(str(raw.response) ? { response: clip(raw.response as string) } : {}) },
    });
    const tool = /^\S+/.exec(action)?.[0] ?? '(none)';
    const args = action.slice(tool.length).trim();
    const executionS = num(raw.execution_time);
    const error = TOOL_ERRORS.some((r) => r.test(observation))
      ? firstLine(observation.split('\n').find((l) => TOOL_ERRORS.some((r) => r.test(l))) ?? observation, 500)
      : undefined;
    const details: Obj = { step, tool_name: tool, tool_arguments: clip(args), observation: clip(observation) };
    if (str(raw.state)) details.state = clip(raw.state as string, 500);
    if (error) details.error = error;
    b.add(clock + 1, {
      source: 'tool',
      component: tool,
      action: 'tool_call',
      kind: 'span',
      correlation_id: correlation,
      level: error ? 'ERROR' : 'INFO',
      // A failed call says what failed and why: reports group errors by the summary.
      event_summary: error ? `${tool} failed: ${error}` : `${tool}${args ? ` ${firstLine(args, 150)}` : ''}`,
      duration_ms: executionS !== undefined ? Math.round(executionS * 1e6) / 1000 : null,
      details: executionS === undefined ? { ...details, duration_unknown: true } : details,
    });
    if (executionS !== undefined) clock += Math.round(executionS * 1e6);
  });

  const status = str(info.exit_status) ?? '';
  const stats = isObj(info.model_stats) ? info.model_stats : {};
  const metrics: Record<string, number> = {};
  if (num(stats.tokens_sent) !== undefined) metrics.input_tokens = num(stats.tokens_sent)!;
  if (num(stats.tokens_received) !== undefined) metrics.output_tokens = num(stats.tokens_received)!;
  if (num(stats.api_calls) !== undefined) metrics.api_calls = num(stats.api_calls)!;
  const cost = num(stats.instance_cost) ?? num(stats.total_cost);
  if (cost !== undefined) metrics.cost = cost;
  const submission = str(info.submission);
  const level = exitLevel(status);
  b.add(clock + 1_000_000, {
    source: 'session',
    component: 'swe-agent',
    action: 'session_end',
    kind: 'log',
    level,
    event_summary:
      status === 'submitted'
        ? `Run submitted a patch after ${steps.length} steps`
        : status
          ? `Run ended with exit_status ${status} after ${steps.length} steps`
          : `Run ended without an exit_status after ${steps.length} steps`,
    details: {
      outcome: status === 'submitted' ? 'submitted' : status || 'unknown',
      exit_status: status || null,
      steps: steps.length,
      ...(submission ? { submission: clip(submission, 4000) } : {}),
      model_stats: stats,
    },
    performance_metrics: Object.keys(metrics).length ? metrics : null,
  });
  return { events: b.events, rejected };
}
