import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { userMessageText } from '../classify.js';

const DELIBERATE_STOP = new Set(['model_terminated', 'final_response', 'max_depth']);
/** Words people type to push a stuck agent on (any language would add its own). */
/** In trimmed text: two separate runs of whitespace, i.e. three words or more (split(/\s+/) without the array). */
const MORE_THAN_TWO_WORDS = /\s\S+\s/;
const NUDGE_WORDS = /^(ok(ay)?|k|continue|go( on| ahead)?|yes|y|proceed|next|please continue|keep going|and\??|\?+|\.+)[.!?]*$/i;
/** Evidence kept per run (the count keeps growing; the ids stop). */
const MAX_EVIDENCE = 12;

interface NudgeState {
  /** Tools finished since the last user message. */
  toolsSinceUser: number;
  /** The agent stopped right after a tool (declined continuation or nothing followed). */
  stoppedAfterTool: boolean;
  lastToolEndUs: number;
  run: number;
  words: string[];
  eventIds: string[];
  spanIds: string[];
}

/**
 * Nudge pattern: the user keeps typing short messages ("ok", "continue"), each answered by a tool
 * call and then silence — the shape of AIWhisperer's continuation bug as a user lives it.
 */
export class NudgePatternDetector implements Detector {
  readonly name = 'nudge_pattern';
  readonly patterns = ['nudge_pattern'] as const;
  readonly interest = Interest.of(Category.TOOL_CALL, Category.MODEL_CALL, Category.AGENT_ACTIVITY, Category.DECISION, Category.USER_MESSAGE);

  constructor(
    private readonly index: number,
    private readonly continuationPrompt: string,
  ) {}

  private state(session: SessionState): NudgeState {
    let s = session.slots[this.index] as NudgeState | undefined;
    if (!s) {
      s = { toolsSinceUser: 0, stoppedAfterTool: false, lastToolEndUs: 0, run: 0, words: [], eventIds: [], spanIds: [] };
      session.slots[this.index] = s;
    }
    return s;
  }

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const cat = obs.category;
    if (cat === Category.OTHER || cat === Category.RPC) return;
    const s = this.state(session);
    switch (cat) {
      case Category.TOOL_CALL:
        s.toolsSinceUser += 1;
        s.stoppedAfterTool = true;
        s.lastToolEndUs = obs.endUs;
        if (s.eventIds.length < MAX_EVIDENCE && s.run > 0 && obs.event.span_id) s.spanIds.push(obs.event.span_id);
        return;
      case Category.DECISION: {
        const d = obs.event.details;
        if (d.decision === true || DELIBERATE_STOP.has(String(d.reason))) s.stoppedAfterTool = false;
        return;
      }
      case Category.USER_MESSAGE:
        this.onUserMessage(obs, session, s, ctx);
        return;
      default:
        if (s.stoppedAfterTool && obs.startUs >= s.lastToolEndUs) s.stoppedAfterTool = false;
    }
  }

  private onUserMessage(obs: Observation, session: SessionState, s: NudgeState, ctx: DetectorContext): void {
    const text = userMessageText(obs.event).trim();
    // Debbie's own injected continuation neither counts as a nudge nor ends a run.
    if (text === this.continuationPrompt) return;
    const t = ctx.thresholds;
    const isNudge = text.length <= t.nudge_max_chars && (NUDGE_WORDS.test(text) || !MORE_THAN_TWO_WORDS.test(text));
    if (isNudge && s.toolsSinceUser > 0 && s.stoppedAfterTool) {
      s.run += 1;
      if (s.words.length < MAX_EVIDENCE) s.words.push(text);
      if (s.eventIds.length < MAX_EVIDENCE) s.eventIds.push(obs.event.event_id);
      if (s.run >= t.nudge_min_count) {
        ctx.raise(session, {
          pattern: 'nudge_pattern',
          key: '',
          severity: s.run,
          level: 'WARNING',
          confidence: Math.min(0.98, BASE_CONFIDENCE.nudge_pattern + 0.02 * (s.run - t.nudge_min_count)),
          message: `Nudge pattern: the user sent ${s.run} short nudges in a row (${s.words.map((w) => JSON.stringify(w)).join(', ')}), each answered by a tool call and silence.`,
          explanation:
            'The agent stops after every tool call and waits for the user; each nudge buys exactly one more step. This is the continuation issue seen from the user side.',
          recommendations: [
            'Fix the continuation decision after tool calls (the reply carries no continuation signal)',
            'Enable continuation injection for this session',
          ],
          trigger: refOf(obs.event),
          evidenceEventIds: s.eventIds,
          evidenceSpanIds: s.spanIds,
          facts: { session_id: session.id, nudges: s.run, messages: [...s.words], likely_cause: 'continuation_required' },
        });
      }
    } else if (s.run > 0) {
      const run = s.run;
      s.run = 0;
      s.words = [];
      s.eventIds = [];
      s.spanIds = [];
      ctx.resolve(session, 'nudge_pattern', '', {
        message: `Nudge pattern ended after ${run} nudges: the user sent a full message.`,
        resolution: 'user',
        facts: { nudges: run },
        trigger: refOf(obs.event),
      });
    }
    s.toolsSinceUser = 0;
    s.stoppedAfterTool = false;
  }
}
