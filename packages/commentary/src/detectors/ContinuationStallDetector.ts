import { isStall } from '@debbie/model';
import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, Category, refOf, type EventRef, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { toolNameOf } from '../classify.js';

/** Continuation decisions that end a turn on purpose (the model said TERMINATE, a final answer, the depth limit). */
const DELIBERATE_STOP = new Set(['model_terminated', 'final_response', 'max_depth']);
/** Actions that end a run (trajectory ingest, SDK run ends). */
const RUN_END = new Set(['session_end', 'run_end', 'agent_finish', 'run_finished']);
/** Tools that deliver the run's answer (any-agent final_output, smolagents final_answer, SWE-agent submit). */
const FINAL_TOOL = /^(?:final[_ ]?(?:answer|output)|submit|finish|task_complete)$/i;
/** How often an open stall is re-checked, as multiples of the threshold (the comment is updated). */
const RECHECK_FACTORS = [2, 4, 8];

interface StallState {
  /** Event time the tool finished; 0 when not armed. */
  armedAtUs: number;
  armedClockUs: number;
  tool: string;
  /** The armed tool call's ids, kept as fields (an EventRef only when a stall is told: most tool calls never stall). */
  toolRef: EventRef;
  /** The decision after the tool said False without a deliberate reason (the continuation bug). */
  declined: boolean;
  /** The stall was reported for the current silence. */
  reported: boolean;
  rechecks: number;
  agentId: string | null;
  /** The deadline queued for this session (0 = none): at most one per session, so the queue stays ≤ sessions. */
  pendingDueUs: number;
  /** When the run ended (its end event, or its agent span's end) after the armed tool; 0 = not known to have ended. */
  runEndUs: number;
}

/**
 * Continuation stall: a tool finished, the continuation was declined (or nothing followed), and
 * the session stayed silent past `stall_seconds`. Noticed by a timer (no later event needed) and,
 * for replays, by the gap before the next event. Explained as the seed's `explain_stall` does.
 */
export class ContinuationStallDetector implements Detector {
  readonly name = 'continuation_stall';
  readonly patterns = ['continuation_stall'] as const;
  readonly interest = Interest.of(Category.OTHER, Category.TOOL_CALL, Category.MODEL_CALL, Category.AGENT_ACTIVITY, Category.DECISION, Category.USER_MESSAGE);

  constructor(private readonly index: number) {}

  private state(session: SessionState): StallState {
    let s = session.slots[this.index] as StallState | undefined;
    if (!s) {
      s = {
        armedAtUs: 0,
        armedClockUs: 0,
        tool: '',
        toolRef: { event_id: '', span_id: null, trace_id: null, correlation_id: null, agent_id: null },
        declined: false,
        reported: false,
        rechecks: 0,
        agentId: null,
        pendingDueUs: 0,
        runEndUs: 0,
      };
      session.slots[this.index] = s;
    }
    return s;
  }

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const cat = obs.category;
    if (cat === Category.OTHER || cat === Category.RPC) {
      // the run ended (an end event, or the span of the whole agent run closing after the tool): silence after it is no stall
      const e = obs.event;
      const s = session.slots[this.index] as StallState | undefined;
      if (RUN_END.has(e.action) || (e.kind === 'span' && e.source === 'agent' && e.action === 'invoke_agent')) {
        // spans of a whole run arrive first in a replay (sorted by start): remember when the run ends
        const st = s ?? this.state(session);
        st.runEndUs = Math.max(st.runEndUs, RUN_END.has(e.action) ? obs.startUs : obs.endUs);
      }
      return;
    }
    const s = this.state(session);
    const thresholdUs = ctx.thresholds.stall_seconds * 1e6;
    // Replay path: the gap before this event already exceeds the threshold.
    if (s.armedAtUs !== 0 && !s.reported && isStall((obs.startUs - s.armedAtUs) / 1000, thresholdUs / 1000) && cat !== Category.DECISION) {
      this.report(session, s, ctx, (obs.startUs - s.armedAtUs) / 1e6);
    }
    switch (cat) {
      case Category.TOOL_CALL: {
        this.disarm(session, s, ctx, obs, 'recovered');
        // the agent's answer or submission is a tool in many frameworks: nothing is expected after it
        if (FINAL_TOOL.test(toolNameOf(obs.event))) return;
        s.armedAtUs = obs.endUs;
        s.armedClockUs = obs.endClockUs;
        s.tool = toolNameOf(obs.event);
        const e = obs.event;
        const r = s.toolRef;
        r.event_id = e.event_id;
        r.span_id = e.span_id;
        r.trace_id = e.trace_id;
        r.correlation_id = e.correlation_id;
        r.agent_id = e.agent_id;
        s.agentId = obs.event.agent_id;
        s.declined = false;
        s.reported = false;
        s.rechecks = 0;
        this.schedule(session, s, ctx, s.armedClockUs + thresholdUs);
        return;
      }
      case Category.DECISION: {
        if (s.armedAtUs === 0) return;
        const d = obs.event.details;
        if (d.decision === true || DELIBERATE_STOP.has(String(d.reason))) {
          this.disarm(session, s, ctx, obs, 'recovered');
        } else {
          s.declined = true;
        }
        return;
      }
      case Category.USER_MESSAGE:
        this.disarm(session, s, ctx, obs, 'user');
        return;
      default:
        // Model calls and agent activity that began after the tool finished: the agent moved on.
        if (s.armedAtUs !== 0 && obs.startUs >= s.armedAtUs) this.disarm(session, s, ctx, obs, 'recovered');
    }
  }

  /** Queues a check at `dueUs` unless one is already queued no later (armed again later = checked then, and re-queued). */
  private schedule(session: SessionState, s: StallState, ctx: DetectorContext, dueUs: number): void {
    if (s.pendingDueUs !== 0 && s.pendingDueUs <= dueUs) return;
    s.pendingDueUs = dueUs;
    ctx.schedule(session, dueUs);
  }

  onDeadline(session: SessionState, ctx: DetectorContext): void {
    const s = session.slots[this.index] as StallState | undefined;
    if (!s) return;
    s.pendingDueUs = 0;
    if (s.armedAtUs === 0) return;
    const silenceS = (ctx.now() - s.armedClockUs) / 1e6;
    const threshold = ctx.thresholds.stall_seconds;
    if (!s.reported) {
      if (!isStall(silenceS * 1000 + 1e-3, threshold * 1000)) {
        this.schedule(session, s, ctx, s.armedClockUs + threshold * 1e6);
        return;
      }
      this.report(session, s, ctx, silenceS);
    } else {
      this.report(session, s, ctx, silenceS);
    }
  }

  private report(session: SessionState, s: StallState, ctx: DetectorContext, silenceS: number): void {
    // the run finished after the tool: the silence is the run being over, not a stall
    // (a declined continuation is the known stall whatever the run's span says: AIWhisperer's turn span ends there too)
    if (!s.reported && !s.declined && s.runEndUs >= s.armedAtUs && s.runEndUs - s.armedAtUs < ctx.thresholds.stall_seconds * 1e6) {
      s.armedAtUs = 0;
      return;
    }
    const threshold = ctx.thresholds.stall_seconds;
    const ref: EventRef = { ...s.toolRef };
    const first = !s.reported;
    s.reported = true;
    const duration = Math.round(silenceS * 10) / 10;
    const agent = s.agentId ?? session.agentId;
    const name = session.agentName;
    const who = name && agent ? `Agent ${name} (${agent})` : agent ? `Agent ${agent}` : 'The agent';
    const cause = s.declined ? 'the continuation decision after the tool was False' : 'nothing followed the tool call';
    ctx.raise(session, {
      pattern: 'continuation_stall',
      key: '',
      severity: silenceS,
      level: 'WARNING',
      confidence: s.declined ? BASE_CONFIDENCE.continuation_stall : 0.75,
      message: `Detected stall pattern: ${who} waiting for user input after tool ${s.tool}. Duration: ${duration.toFixed(1)}s`,
      explanation: `Session stalled for ${duration.toFixed(1)}s: ${cause}, so the agent went silent. This is a known continuation issue.`,
      recommendations: ['Inject a continuation prompt ("Please continue with the next step.")', 'Check why the reply carried no continuation signal'],
      trigger: ref,
      evidenceEventIds: [ref.event_id],
      evidenceSpanIds: ref.span_id ? [ref.span_id] : [],
      facts: {
        session_id: session.id,
        stall_duration: duration,
        tool_name: s.tool,
        continuation_declined: s.declined,
        likely_cause: 'continuation_required',
        suggested_action: 'inject_continuation_prompt',
      },
    });
    if (!first) s.rechecks += 1;
    const next = RECHECK_FACTORS[s.rechecks];
    if (next !== undefined) this.schedule(session, s, ctx, s.armedClockUs + next * threshold * 1e6);
  }

  private disarm(session: SessionState, s: StallState, ctx: DetectorContext, obs: Observation, how: 'recovered' | 'user'): void {
    if (s.armedAtUs === 0) return;
    const silenceS = Math.max(0, (obs.startUs - s.armedAtUs) / 1e6);
    if (s.reported) {
      ctx.resolve(session, 'continuation_stall', '', {
        message:
          how === 'user'
            ? `Stall ended by the user after ${silenceS.toFixed(1)}s: a new message reached the agent.`
            : `Stall resolved: agent resumed after ${silenceS.toFixed(1)}s.`,
        resolution: how,
        facts: { stall_duration: Math.round(silenceS * 10) / 10 },
        trigger: refOf(obs.event),
      });
    }
    s.armedAtUs = 0;
    s.reported = false;
    s.declined = false;
    s.toolRef.event_id = '';
  }
}
