import type { Detector, DetectorContext } from '../Detector.js';
import { Category, Interest, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { modelOf } from '../classify.js';

/** Words of a run stopped by its budget: OpenHands, SWE-agent (exit_cost, exit_context, exit_format), LangGraph, AutoGen, smolagents. */
const LIMIT =
  /maximum (?:number of )?(?:iteration|step|turn|round)s?|max(?:imum)?[_ ]?(?:iterations?|steps|turns|rounds)\b|iteration limit|step limit|recursion limit|turn limit|exit_cost|exit_context|exit_format|cost limit|budget (?:exhausted|exceeded)|context (?:length|window) exceeded/i;
/** How a run that ended with an answer says so. */
const ANSWERED = new Set(['submitted', 'finished', 'success', 'succeeded', 'completed', 'done', 'stop', 'final_answer']);
/** Actions that end a run. */
const END_ACTIONS = new Set(['session_end', 'run_end', 'agent_finish', 'run_finished']);
/** Context windows by model family when the event does not say (tokens). */
const CONTEXT_WINDOWS: readonly (readonly [RegExp, number])[] = [
  [/gemini/i, 1_000_000],
  [/llama-4/i, 1_000_000],
  [/claude/i, 200_000],
  [/gpt-4\.1|o3|o4/i, 200_000],
  [/gpt-4o|gpt-4-turbo|gpt-5/i, 128_000],
  [/gpt-3\.5/i, 16_000],
  [/gpt-4\b/i, 8_000],
];
const DEFAULT_CONTEXT = 128_000;

interface RunState {
  limitReported: boolean;
  lastInput: number;
  growing: number;
  /** The last GROWTH_IDS growing calls, a ring (no array shifting per model call). */
  growthIds: string[];
  growthNext: number;
  /** Context window of the last model seen (looked up once per model, not per call). */
  model: string;
  window: number;
}
const GROWTH_IDS = 8;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * How a run ends: stopped by a step/iteration/cost limit (`step_limit`, with the repeated steps
 * that led there named), ended with no final answer (`no_final_answer`), and input tokens growing
 * step after step toward the context window (`context_growth`).
 */
export class RunEndDetector implements Detector {
  readonly name = 'run_end';
  readonly patterns = ['step_limit', 'no_final_answer', 'context_growth'] as const;
  // model calls (context growth), errors (limits), and OTHER (run ends: session_end is no activity)
  readonly interest = Interest.of(Category.MODEL_CALL, Category.OTHER, Category.AGENT_ACTIVITY) | Interest.ERRORS;

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const event = obs.event;
    const cat = obs.category;
    if (cat === Category.MODEL_CALL) {
      this.contextGrowth(obs, session, ctx);
      return;
    }
    const source = event.source;
    if (source !== 'session' && source !== 'agent' && source !== 'server' && source !== 'user_script') return;
    const d = event.details;
    const ending = END_ACTIONS.has(event.action);
    if (!ending && !obs.isError && event.level !== 'WARNING') return;
    const s = this.state(session);
    const exit = typeof d.exit_status === 'string' ? d.exit_status : typeof d.outcome === 'string' ? d.outcome : '';
    const text = `${exit} ${event.event_summary.slice(0, 400)} ${typeof d.error === 'string' ? d.error.slice(0, 400) : ''}`;
    if (!s.limitReported && LIMIT.test(text)) {
      s.limitReported = true;
      const note = session.progressNote;
      const why = note ? ` Before it, the agent was stuck: ${note.summary}.` : '';
      ctx.raise(session, {
        pattern: 'step_limit',
        key: '',
        severity: 1,
        level: 'ERROR',
        confidence: BASE_CONFIDENCE.step_limit,
        message: `Run stopped by its budget: "${event.event_summary.slice(0, 160)}".${why}`,
        explanation:
          'A run that reaches its step, iteration or cost limit has looped or wandered instead of finishing; the steps it repeated are the evidence.',
        recommendations: ['Look at the repeated steps before the limit', 'Give the agent a way out (ask the user, give up with a summary) before the limit'],
        trigger: refOf(event),
        evidenceEventIds: note ? [...note.eventIds, event.event_id] : [event.event_id],
        evidenceSpanIds: note ? note.spanIds : [],
        facts: { session_id: session.id, exit_status: exit || null, repeated_steps: note?.summary ?? null, repeated_span_ids: note?.spanIds ?? [] },
      });
      return;
    }
    if (!ending || s.limitReported) return;
    const finalMessage = typeof d.final_message === 'string' ? d.final_message.trim() : '';
    const answered = exit === '' ? finalMessage !== '' || d.task_completed === true || d.task_completed === 'true' : ANSWERED.has(exit.toLowerCase());
    if (answered || (exit === '' && d.final_message === undefined && d.task_completed === undefined)) return;
    ctx.raise(session, {
      pattern: 'no_final_answer',
      key: '',
      severity: 1,
      level: 'WARNING',
      confidence: BASE_CONFIDENCE.no_final_answer,
      message: `The run ended without a final answer${exit ? ` (exit status ${exit})` : ''}.`,
      explanation: 'The last step was not an answer or a submission: the user got nothing back.',
      recommendations: ['Check why the agent stopped (an error, a limit, a crash)', 'Make the agent always end with an answer, even a partial one'],
      trigger: refOf(event),
      evidenceEventIds: [event.event_id],
      evidenceSpanIds: [],
      facts: { session_id: session.id, exit_status: exit || null },
    });
  }

  private state(session: SessionState): RunState {
    let s = session.slots[this.index] as RunState | undefined;
    if (!s) {
      s = { limitReported: false, lastInput: 0, growing: 0, growthIds: [], growthNext: 0, model: '', window: 0 };
      session.slots[this.index] = s;
    }
    return s;
  }

  private contextGrowth(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const input = num(obs.event.performance_metrics?.input_tokens);
    if (input === undefined) return;
    const s = this.state(session);
    if (input > s.lastInput) {
      s.growing += 1;
      if (s.growthIds.length < GROWTH_IDS) s.growthIds.push(obs.event.event_id);
      else {
        s.growthIds[s.growthNext] = obs.event.event_id;
        s.growthNext = (s.growthNext + 1) % GROWTH_IDS;
      }
    } else {
      s.growing = 0;
      s.growthIds.length = 0;
      s.growthIds.push(obs.event.event_id);
      s.growthNext = 0;
    }
    s.lastInput = input;
    const t = ctx.thresholds;
    if (s.growing < t.context_growth_steps) return;
    const d = obs.event.details;
    const model = modelOf(obs.event);
    if (model !== s.model) {
      s.model = model;
      s.window = CONTEXT_WINDOWS.find(([re]) => re.test(model))?.[1] ?? DEFAULT_CONTEXT;
    }
    const limit = num(d.context_window) ?? num(d['gen_ai.request.max_input_tokens']) ?? s.window;
    const share = input / limit;
    if (share < t.context_growth_share) return;
    ctx.raise(session, {
      pattern: 'context_growth',
      key: '',
      severity: Math.round(share * 100),
      level: 'WARNING',
      confidence: BASE_CONFIDENCE.context_growth,
      message: `Input tokens grew ${s.growing} calls in a row to ${input} (${Math.round(share * 100)}% of ${model}'s ~${limit}-token context).`,
      explanation: 'Every step adds its history to the prompt; at this rate the next calls will be truncated or fail.',
      recommendations: ['Summarize or trim the history (condense observations)', 'Start a fresh sub-task with only what it needs'],
      trigger: refOf(obs.event),
      // oldest first, a copy (the ring goes on)
      evidenceEventIds: [...s.growthIds.slice(s.growthNext), ...s.growthIds.slice(0, s.growthNext)],
      evidenceSpanIds: [],
      facts: { session_id: session.id, input_tokens: input, context_window: limit, growing_calls: s.growing },
    });
  }
}
