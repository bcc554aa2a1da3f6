import { epochMicros, type DebbieEvent, type LogLevel } from '@debbie/model';
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
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** An OpenHands event (action or observation), as its event stream serialises it. */
function isOpenHandsItem(v: unknown): v is Obj {
  return isObj(v) && (typeof v.action === 'string' || typeof v.observation === 'string');
}

/** The first items look like OpenHands events (some are neither; a few must be). */
function looksLikeEvents(items: unknown[]): boolean {
  const head = items.slice(0, 5);
  return head.length > 0 && head.every(isObj) && head.some(isOpenHandsItem);
}

/**
 * An OpenHands run: an evaluation/resolver output record (`output.jsonl`: `history` plus
 * instance, metadata, metrics, error) or a bare event list (trajectory JSON, as saved by
 * `save_trajectory_path` and the runtime tests' `trajs/*.json`).
 */
export function isOpenHandsRun(value: unknown): boolean {
  if (Array.isArray(value)) return looksLikeEvents(value) && value.some((v) => isObj(v) && ('source' in v || 'id' in v || 'timestamp' in v));
  return isObj(value) && Array.isArray(value.history) && looksLikeEvents(value.history);
}

// Actions that run something in the sandbox: tool calls even when no function-calling metadata says so
// (older OpenHands versions serialised actions without `tool_call_metadata`).
const TOOL_ACTIONS = new Set(['run', 'run_ipython', 'read', 'write', 'edit', 'browse', 'browse_interactive', 'delegate', 'think', 'call_tool_mcp']);
// Argument keys that are commentary of the agent, not arguments of the tool.
const NOT_ARGUMENTS = new Set([
  'thought',
  'action',
  'action_risk',
  'is_confirmed',
  'confirmation_state',
  'keep_prompt',
  'blocking',
  'hidden',
  'is_static',
  'security_risk',
]);

interface ModelResponse {
  id?: string;
  model?: string;
  choices?: { finish_reason?: string; message?: { content?: string; tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[] } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
}

/** Run-level facts of an output record. */
interface RunInfo {
  instanceId?: string | undefined;
  agentClass?: string | undefined;
  model?: string | undefined;
  maxIterations?: number | undefined;
  error?: string | undefined;
  latencies: Map<string, number>;
  costs: number[];
  extra: Obj;
  totals?: Obj | undefined;
}

function runInfo(record: Obj | undefined): RunInfo {
  const info: RunInfo = { latencies: new Map(), costs: [], extra: {} };
  if (!record) return info;
  const metadata = isObj(record.metadata) ? record.metadata : {};
  const llm = isObj(metadata.llm_config) ? metadata.llm_config : {};
  const metrics = isObj(record.metrics) ? record.metrics : {};
  const issue = isObj(record.issue) ? record.issue : undefined;
  info.instanceId = str(record.instance_id) ?? (issue ? `${str(issue.owner) ?? '?'}/${str(issue.repo) ?? '?'}#${String(issue.number ?? '?')}` : undefined);
  info.agentClass = str(metadata.agent_class);
  info.model = str(llm.model);
  info.maxIterations = num(metadata.max_iterations);
  info.error = str(record.error) ?? undefined;
  if (Array.isArray(metrics.response_latencies)) {
    for (const l of metrics.response_latencies) {
      if (isObj(l) && typeof l.response_id === 'string' && num(l.latency) !== undefined) info.latencies.set(l.response_id, l.latency as number);
    }
  }
  if (Array.isArray(metrics.costs)) info.costs = metrics.costs.map((c) => (isObj(c) ? (num(c.cost) ?? 0) : (num(c) ?? 0)));
  info.totals = isObj(metrics.accumulated_token_usage) ? metrics.accumulated_token_usage : undefined;
  if (num(metrics.accumulated_cost) !== undefined) info.extra.accumulated_cost = metrics.accumulated_cost;
  if (typeof record.success === 'boolean') info.extra.success = record.success;
  if (str(record.result_explanation)) info.extra.result_explanation = clip(record.result_explanation as string, 1000);
  if (issue) info.extra.issue = { owner: issue.owner, repo: issue.repo, number: issue.number, title: issue.title };
  if (isObj(record.test_result)) {
    const t = record.test_result;
    info.extra.test_result = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, typeof v === 'string' ? clip(v, 1000) : v]));
  }
  return info;
}

/** A pending tool call waiting for its observation. */
interface Pending {
  event: DebbieEvent;
  startMicros: number;
}

/**
 * Converts an OpenHands run into DebbieEvents:
 * - `session_start` (source session) with the instance, agent class, model and iteration budget;
 * - per model response: an `agent_step` (source agent) with the thought, and an `llm_call` span
 *   (source ai_service, details.model, performance_metrics input/output tokens, latency as duration
 *   when the run's metrics have it);
 * - per tool action (function call, or a sandbox action of older versions): a `tool_call` span (source
 *   tool, details.tool_name and tool_arguments) that lasts until its observation, with the observation
 *   text, exit code, and level ERROR for an error observation (WARN for a non-zero exit code);
 * - user and agent messages (`user_message`, `agent_message`), agent state changes (source session);
 * - `session_end` (source session) with the outcome: finished (task_completed, final message),
 *   max_iterations, error, or no_finish (the run stopped without a finish action), plus total tokens.
 * Timestamps are the events' own; a run that has none gets one second per item from a synthetic
 * clock, flagged `timestamp_synthetic` in every event.
 */
export function openHandsRunEvents(value: unknown, opts: TrajectoryOptions): TrajectoryResult {
  const record = Array.isArray(value) ? undefined : (value as Obj);
  const items = (Array.isArray(value) ? value : (record!.history as unknown[])) as unknown[];
  const info = runInfo(record);
  // A --session override is part of what was ingested: the same run under another session is other events.
  const runKey = shortHash(`${opts.sessionId ?? ''}\u0000${JSON.stringify(value)}`, 32);
  const sessionId = opts.sessionId ?? (info.instanceId ? `${info.instanceId}-${runKey.slice(0, 8)}` : `openhands-${runKey.slice(0, 12)}`);
  const timed = items.some((e) => isObj(e) && typeof e.timestamp === 'string' && Number.isFinite(epochMicros(e.timestamp)));
  const b = new TrajectoryEventBuilder(runKey, sessionId, {
    agent_id: info.agentClass ?? 'openhands',
    service_name: 'openhands',
    framework: 'openhands',
    synthetic: !timed,
  });
  const syntheticStart = opts.syntheticStartMicros ?? SYNTHETIC_EPOCH_MICROS;
  let clock = Number.NEGATIVE_INFINITY;
  const timeOf = (e: Obj, index: number): number => {
    const t = typeof e.timestamp === 'string' ? epochMicros(e.timestamp) : Number.NaN;
    clock = Number.isFinite(t) ? t : timed ? clock + 1 : syntheticStart + index * 1_000_000;
    return clock;
  };

  let rejected = 0;
  let step = 0;
  let agentActions = 0;
  let finish: Obj | undefined;
  let lastState: string | undefined;
  const seenResponses = new Set<string>();
  const pendingById = new Map<number, Pending>();
  const pendingInOrder: Pending[] = [];
  const logByActionId = new Map<number, DebbieEvent>();
  const started = { done: false };

  const startSession = (micros: number): void => {
    if (started.done) return;
    started.done = true;
    const details: Obj = { ...info.extra };
    if (info.instanceId) details.instance_id = info.instanceId;
    if (info.agentClass) details.agent_class = info.agentClass;
    if (info.model) details.model = info.model;
    if (info.maxIterations !== undefined) details.max_iterations = info.maxIterations;
    if (record && typeof record.instruction === 'string') details.instruction = clip(record.instruction, 2000);
    b.add(micros, {
      source: 'session',
      component: 'openhands',
      action: 'session_start',
      kind: 'log',
      event_summary: `OpenHands run${info.instanceId ? ` ${info.instanceId}` : ''} started${info.agentClass ? ` (${info.agentClass}${info.model ? `, ${info.model}` : ''})` : ''}`,
      details,
    });
  };

  items.forEach((raw, index) => {
    if (!isObj(raw)) {
      rejected += 1;
      return;
    }
    const micros = timeOf(raw, index);
    startSession(micros);
    const id = num(raw.id);
    if (typeof raw.action === 'string') onAction(raw, raw.action, id, micros);
    else if (typeof raw.observation === 'string') onObservation(raw, raw.observation, micros);
    else rejected += 1;
  });

  function onAction(e: Obj, action: string, id: number | undefined, micros: number): void {
    const args = isObj(e.args) ? e.args : e; // older versions put the arguments at the top level
    const source = str(e.source) ?? (action === 'message' && agentActions === 0 && step === 0 && b.events.length <= 1 ? 'user' : 'agent');
    const meta = isObj(e.tool_call_metadata) ? e.tool_call_metadata : undefined;
    const response = meta && isObj(meta.model_response) ? (meta.model_response as ModelResponse) : undefined;
    const thought = str(args.thought) ?? str(response?.choices?.[0]?.message?.content) ?? '';
    const correlation = (): string => `${sessionId}-step-${step}`;
    if (source === 'agent' && action !== 'system' && action !== 'change_agent_state') {
      agentActions += 1;
      // One model response may carry several tool calls: one step, one model call.
      const responseId = response?.id;
      if (responseId === undefined || !seenResponses.has(responseId)) {
        if (responseId !== undefined) seenResponses.add(responseId);
        step += 1;
        modelCall(micros, response, thought, correlation(), info.costs[agentActions - 1]);
      }
    }
    if (action === 'finish') {
      finish = { ...args, ...(toolArguments(meta, response) ? parsedArguments(toolArguments(meta, response)!) : {}) };
      return;
    }
    if (source === 'agent' && (meta || TOOL_ACTIONS.has(action))) {
      const tool = str(meta?.function_name) ?? action;
      const argText = toolArguments(meta, response) ?? JSON.stringify(Object.fromEntries(Object.entries(args).filter(([k]) => !NOT_ARGUMENTS.has(k))));
      const details: Obj = { tool_name: tool, tool_arguments: clip(argText), openhands_action: action, step };
      if (meta && str(meta.tool_call_id)) details.tool_call_id = meta.tool_call_id;
      if (id !== undefined) details.openhands_id = id;
      const message = str(e.message) ?? '';
      const event = b.add(micros, {
        source: 'tool',
        component: tool,
        action: 'tool_call',
        kind: 'span',
        correlation_id: correlation(),
        event_summary: `${tool}: ${firstLine(message || argText)}`,
        details,
      });
      const pending = { event, startMicros: micros };
      if (id !== undefined) pendingById.set(id, pending);
      pendingInOrder.push(pending);
      return;
    }
    // Messages, the system prompt, recalls, state changes: point events.
    const content = str(args.content) ?? str(e.message) ?? '';
    let init: { source: DebbieEvent['source']; action: string; level: LogLevel; summary: string; details: Obj };
    if (action === 'message') {
      init =
        source === 'user'
          ? { source: 'agent', action: 'user_message', level: 'INFO', summary: firstLine(content), details: { message: clip(content) } }
          : {
              source: 'agent',
              action: 'agent_message',
              level: 'INFO',
              summary: firstLine(content),
              details: { message: clip(content), wait_for_response: args.wait_for_response },
            };
    } else if (action === 'system') {
      init = { source: 'agent', action: 'system_prompt', level: 'DEBUG', summary: firstLine(content), details: { message: clip(content, 1000) } };
    } else if (action === 'change_agent_state') {
      const state = str(args.agent_state) ?? '';
      init = { source: 'session', action: 'agent_state', level: 'DEBUG', summary: `Agent state: ${state}`, details: { agent_state: state } };
    } else {
      init = {
        source: source === 'environment' ? 'session' : 'agent',
        action,
        level: 'DEBUG',
        summary: firstLine(str(e.message) ?? action),
        details: { openhands_action: action },
      };
    }
    if (id !== undefined) init.details.openhands_id = id;
    const event = b.add(micros, {
      source: init.source,
      component: 'openhands',
      action: init.action,
      level: init.level,
      kind: 'log',
      event_summary: init.summary,
      details: init.details,
    });
    if (id !== undefined) logByActionId.set(id, event);
  }

  function modelCall(micros: number, response: ModelResponse | undefined, thought: string, correlation: string, cost: number | undefined): void {
    const model = str(response?.model) ?? info.model;
    const latency = response?.id !== undefined ? info.latencies.get(response.id) : undefined;
    const usage = response?.usage;
    const metrics: Record<string, number> = {};
    if (num(usage?.prompt_tokens) !== undefined) metrics.input_tokens = usage!.prompt_tokens!;
    if (num(usage?.completion_tokens) !== undefined) metrics.output_tokens = usage!.completion_tokens!;
    if (num(usage?.total_tokens) !== undefined) metrics.total_tokens = usage!.total_tokens!;
    if (cost !== undefined) metrics.cost = cost;
    const details: Obj = { step };
    if (model) details.model = model;
    if (response?.id) details.response_id = response.id;
    const choice = response?.choices?.[0];
    if (choice?.finish_reason) details.finish_reason = choice.finish_reason;
    if (choice?.message?.tool_calls) details.tool_calls = choice.message.tool_calls.map((c) => c.function?.name).filter(Boolean);
    if (thought) details.thought = clip(thought);
    // The response arrived when the action was created: the call started `latency` before.
    const durationMs = latency !== undefined ? Math.round(latency * 1000 * 1000) / 1000 : null;
    b.add(latency !== undefined ? micros - Math.round(latency * 1e6) : micros, {
      source: 'ai_service',
      component: model ?? 'model',
      action: 'llm_call',
      kind: 'span',
      correlation_id: correlation,
      event_summary: `Model call${model ? ` ${model}` : ''}${metrics.input_tokens !== undefined ? ` (${metrics.input_tokens} in / ${metrics.output_tokens ?? 0} out tokens)` : ''}`,
      duration_ms: durationMs,
      performance_metrics: Object.keys(metrics).length ? metrics : null,
      details: latency === undefined ? { ...details, duration_unknown: true } : details,
    });
    b.add(micros, {
      source: 'agent',
      component: 'openhands',
      action: 'agent_step',
      kind: 'log',
      correlation_id: correlation,
      event_summary: `Step ${step}${thought ? `: ${firstLine(thought)}` : ''}`,
      details: { step, ...(thought ? { thought: clip(thought) } : {}) },
    });
  }

  function onObservation(e: Obj, observation: string, micros: number): void {
    const cause = num(e.cause);
    let pending: Pending | undefined;
    if (cause !== undefined) pending = pendingById.get(cause);
    else if (!('id' in e)) pending = pendingInOrder.find((p) => p.event.details.observation_type === undefined);
    const content = str(e.content) ?? str(e.message) ?? '';
    const extras = isObj(e.extras) ? e.extras : e;
    const exitCode = num(isObj(extras.metadata) ? extras.metadata.exit_code : undefined) ?? num(extras.exit_code);
    if (pending) {
      const ev = pending.event;
      if (cause !== undefined) pendingById.delete(cause);
      // Only a run's own clock measures a tool; a synthetic one would invent the duration.
      if (timed) ev.duration_ms = Math.max(0, (micros - pending.startMicros) / 1000);
      else ev.details.duration_unknown = true;
      ev.details.observation_type = observation;
      ev.details.observation = clip(content);
      if (exitCode !== undefined) ev.details.exit_code = exitCode;
      if (typeof e.success === 'boolean') ev.details.success = e.success;
      if (observation === 'error' || /^\s*ERROR\b/.test(content)) {
        ev.level = 'ERROR';
        ev.details.error = firstLine(content.replace(/^\s*ERROR:?\s*/, ''), 500) || 'ERROR';
        // The summary says what failed and why: reports group errors by it.
        ev.event_summary = `${String(ev.details.tool_name)} failed: ${String(ev.details.error)}`;
      } else if (exitCode !== undefined && exitCode !== 0 && exitCode !== -1) {
        ev.level = 'WARNING';
        ev.details.error = `exit code ${exitCode}`;
      }
      return;
    }
    if (observation === 'agent_state_changed') {
      const state = str(extras.agent_state) ?? '';
      lastState = state;
      const reason = str(extras.reason);
      b.add(micros, {
        source: 'session',
        component: 'openhands',
        action: 'agent_state_changed',
        kind: 'log',
        level: state === 'error' ? 'ERROR' : 'DEBUG',
        event_summary: `Agent state: ${state}${reason ? ` (${firstLine(reason)})` : ''}`,
        details: { agent_state: state, ...(reason ? { reason: clip(reason, 1000) } : {}) },
      });
      return;
    }
    const log = cause !== undefined ? logByActionId.get(cause) : undefined;
    if (log) {
      // The answer to a message, recall or state change: folded into it.
      log.details.observation_type = observation;
      if (content) log.details.observation = clip(content, 1000);
      return;
    }
    b.add(micros, {
      source: 'agent',
      component: 'openhands',
      action: `observation_${observation}`,
      kind: 'log',
      level: observation === 'error' ? 'ERROR' : 'DEBUG',
      event_summary: firstLine(content || observation),
      details: { observation_type: observation, observation: clip(content), ...(observation === 'error' ? { error: firstLine(content, 500) } : {}) },
    });
  }

  // A tool call that never got its observation is kept, marked as such.
  for (const p of pendingInOrder) if (p.event.details.observation_type === undefined) p.event.details.observation_missing = true;

  if (!started.done) startSession(timed ? clock : syntheticStart);
  endSession();

  function endSession(): void {
    const details: Obj = { ...info.extra };
    let outcome: string;
    let level: LogLevel = 'INFO';
    let summary: string;
    if (info.error && /maximum iteration/i.test(info.error)) {
      outcome = 'max_iterations';
      level = 'ERROR';
      summary = `Run stopped at its iteration limit: ${firstLine(info.error)}`;
    } else if (info.error) {
      outcome = 'error';
      level = 'ERROR';
      summary = `Run failed: ${firstLine(info.error)}`;
    } else if (finish) {
      outcome = 'finished';
      const message = str(finish.message) ?? str(finish.final_thought) ?? str(finish.thought) ?? '';
      if (message) details.final_message = clip(message, 2000);
      if (finish.task_completed !== undefined) details.task_completed = finish.task_completed;
      if (isObj(finish.outputs) && Object.keys(finish.outputs).length) details.outputs = finish.outputs;
      summary = `Run finished${finish.task_completed !== undefined ? ` (task_completed: ${String(finish.task_completed)})` : ''}${message ? `: ${firstLine(message)}` : ''}`;
    } else if (lastState === 'error') {
      outcome = 'error';
      level = 'ERROR';
      summary = 'Run ended with the agent in the error state';
    } else {
      outcome = 'no_finish';
      level = 'WARNING';
      summary = `Run ended without a finish action${lastState ? ` (agent state: ${lastState})` : ''}`;
    }
    details.outcome = outcome;
    details.exit_status = outcome;
    if (info.error) details.error = clip(info.error, 2000);
    details.steps = step;
    if (info.maxIterations !== undefined) details.max_iterations = info.maxIterations;
    const metrics: Record<string, number> = {};
    if (info.totals) {
      if (num(info.totals.prompt_tokens) !== undefined) metrics.input_tokens = info.totals.prompt_tokens as number;
      if (num(info.totals.completion_tokens) !== undefined) metrics.output_tokens = info.totals.completion_tokens as number;
    }
    if (num(info.extra.accumulated_cost) !== undefined) metrics.cost = info.extra.accumulated_cost as number;
    b.add(clock === Number.NEGATIVE_INFINITY ? syntheticStart : clock, {
      source: 'session',
      component: 'openhands',
      action: 'session_end',
      kind: 'log',
      level,
      event_summary: summary,
      details,
      performance_metrics: Object.keys(metrics).length ? metrics : null,
    });
  }

  return { events: b.events, rejected };
}

/** The JSON arguments the model gave for this action's tool call. */
function toolArguments(meta: Obj | undefined, response: ModelResponse | undefined): string | undefined {
  if (!meta || !response) return undefined;
  const callId = str(meta.tool_call_id);
  for (const choice of response.choices ?? []) {
    for (const call of choice.message?.tool_calls ?? []) {
      if (call.id === callId && typeof call.function?.arguments === 'string') return call.function.arguments;
    }
  }
  return undefined;
}

function parsedArguments(text: string): Obj {
  try {
    const v = JSON.parse(text) as unknown;
    return isObj(v) ? v : {};
  } catch {
    return {};
  }
}
