import type { Detector, DetectorContext } from '../Detector.js';
import { Category, Interest, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { MINHASH_K, minhashInto, similarityAt } from '../similarity.js';
import { stepOf, type StepView } from '../steps.js';
import { errorCauseOf } from '../errorCause.js';

/** Recent steps compared with each new one (per session): bounded state, O(WINDOW) per step. */
const WINDOW = 12;
const K = MINHASH_K;
/** Flags of a ring slot. */
const HAS_IN = 1;
const HAS_OUT = 2;
const FAILED = 4;
const FLAG_MASK = 7;
/** A slot's step kind, stored above its flags. */
const KIND_SHIFT = 4;
const KIND_CODE = { tool: 0, model: 1, message: 2 } as const;
/** A ring slot in `sigs`: input signature, outcome signature, flags with kind, novelty count. */
const STRIDE = 2 * K + 2;
const FLAGS = 2 * K;
const NOVEL = 2 * K + 1;
/** The current step's signatures (input, outcome), computed here before being copied into the ring. */
const scratch = new Uint32Array(2 * K);
/** Steps per tool remembered for "failing again and again" (per session, at most MAX_TOOLS tools). */
const TOOL_RING = 8;
const MAX_TOOLS = 32;
/** Steps in a row without a repeat after which an open repetition is over. */
const CLEAR_AFTER = 6;
const MAX_EVIDENCE = 12;
/** Actions looked at for A-B-A-B-A-B. */
const ALT = 6;
/**
 * Distinct words a message needs to say something of its own. Fewer (a bare header, "<INFO>
 * Finished", "Python") is unknown content, like an empty argument: never "the same message".
 */
const MIN_MESSAGE_WORDS = 4;

/** The step being judged (one object reused for every step: no allocation on the hot path). */
interface Step {
  name: string;
  kind: StepView['kind'];
  /** HAS_IN | HAS_OUT | FAILED; the signatures are in `scratch` (outcome = the error when failed). */
  flags: number;
  failed: boolean;
  eventId: string;
  spanId: string | null;
  /** Identity for A-B-A-B: name, input and outcome, coarsely. */
  id: number;
}
const scratchEventIds: string[] = [];
const scratchSpanIds: string[] = [];
const cur: Step = { name: '', kind: 'tool', flags: 0, failed: false, eventId: '', spanId: null, id: 0 };

interface ToolRing {
  /** Per call: its input's hash (31 bits) × 2, plus 1 when it failed (one array of numbers, not two). */
  codes: number[];
  eventIds: string[];
  next: number;
  /** Failed calls in the ring, kept as it turns. */
  failures: number;
}

interface ProgressState {
  /** Identities of the last ALT actions (tool calls, agent messages; model calls are the thinking between them), for A-B-A-B: a ring. */
  actions: Uint32Array;
  /** Each action's event id, span id and name at slot*3. */
  actionRefs: (string | null)[];
  /** Actions seen (the ring's next slot is actionCount % ALT). */
  actionCount: number;
  /**
   * The last WINDOW steps, in two arrays (few objects to touch per step, with many sessions
   * interleaved): `sigs` holds slot i at i*STRIDE (input signature K, outcome signature K, flags
   * with the kind, `novel` then); `refs` holds its name, event id and span id at i*3.
   */
  sigs: Uint32Array;
  refs: (string | null)[];
  size: number;
  next: number;
  /** Steps since the last repeat (for resolving). */
  sinceRepeat: number;
  /** Steps so far that said something new (known content, no near-duplicate in the window). */
  novel: number;
  /** Steps with unknown content, each its own identity for A-B-A-B. */
  unknown: number;
  openRepeats: Set<string>;
  tools: Map<string, ToolRing>;
  openFailing: Set<string>;
  /** openFailing.size, read on every successful call without touching the set. */
  failingOpen: number;
  /** Model calls in a row with no tool call, user message or answer. */
  monologue: number;
  monologueIds: string[];
  monologueOpen: boolean;
  alternationOpen: boolean;
}

/** An error burst of this failure's cause is open: the failures are told already. */
function burstOpen(obs: Observation, session: SessionState, ctx: DetectorContext): boolean {
  return ctx.isOpen(session, 'error_burst', errorCauseOf(obs.event).key);
}

function snippet(s: string, n = 100): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

function identity(name: string, a: number, b: number, failed: boolean): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ a, 0x01000193);
  h = Math.imul(h ^ b, 0x01000193);
  return (h ^ (failed ? 0x55 : 0)) >>> 0;
}

/**
 * Repetition without progress, and the stuck patterns a step history shows (what OpenHands'
 * StuckDetector checks after the fact, here online, per event, with the evidence named):
 *
 * - `repetition`: a step (tool call with its arguments, model reply, agent message) near-duplicates
 *   recent steps of the same tool/agent (MinHash similarity, not equality) and brought nothing new:
 *   the same error again, or a near-identical result. Steps with new results (paging through a
 *   file) are progress and do not count; tool calls whose arguments are not recorded are never
 *   called "the same".
 * - `alternation`: A-B-A-B-A-B, two steps taking turns with the same outcomes.
 * - `failing_tool`: one tool failing again and again with varied arguments.
 * - `monologue`: model calls in a row with no tool call, user message or answer.
 */
export class ProgressDetector implements Detector {
  readonly name = 'progress';
  readonly patterns = ['repetition', 'alternation', 'failing_tool', 'monologue'] as const;
  readonly interest = Interest.of(Category.TOOL_CALL, Category.MODEL_CALL, Category.USER_MESSAGE, Category.AGENT_ACTIVITY);

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const event = obs.event;
    let s = session.slots[this.index] as ProgressState | undefined;
    if (obs.category === Category.USER_MESSAGE) {
      if (s) this.endMonologue(s);
      return;
    }
    const view = stepOf(event, obs.category, obs.isError);
    if (view === null) return;
    if (!s) {
      s = {
        actions: new Uint32Array(ALT),
        actionRefs: [],
        actionCount: 0,
        sigs: new Uint32Array(WINDOW * STRIDE),
        refs: [],
        size: 0,
        next: 0,
        sinceRepeat: 0,
        novel: 0,
        unknown: 0,
        openRepeats: new Set(),
        tools: new Map(),
        openFailing: new Set(),
        failingOpen: 0,
        monologue: 0,
        monologueIds: [],
        monologueOpen: false,
        alternationOpen: false,
      };
      session.slots[this.index] = s;
    }
    const step = cur;
    step.name = view.name;
    step.kind = view.kind;
    step.failed = view.failed;
    step.eventId = event.event_id;
    step.spanId = event.span_id;
    const outcome = view.failed ? view.error || view.output : view.output;
    // a message is all content: one that says too little of its own is unknown, not comparable
    const minWords = view.kind === 'message' ? MIN_MESSAGE_WORDS : 1;
    step.flags =
      (view.input !== '' && minhashInto(view.input, scratch, 0) > 0 ? HAS_IN : 0) |
      (outcome !== '' && minhashInto(outcome, scratch, K, view.kind !== 'message') >= minWords ? HAS_OUT : 0) |
      (view.failed ? FAILED : 0);
    if (view.kind === 'message' && (step.flags & HAS_OUT) === 0) {
      // unknown: unlike any other step for A-B-A-B
      s.unknown += 1;
      step.id = identity(view.name, s.unknown, 0x9e3779b9, false);
    } else {
      step.id = identity(view.name, step.flags & HAS_IN ? scratch[0]! ^ scratch[1]! : 1, step.flags & HAS_OUT ? scratch[K]! ^ scratch[K + 1]! : 2, step.failed);
    }
    // The same message logged again at once (nothing in between) is one step recorded twice, not a retry.
    if (view.kind === 'message' && (step.flags & HAS_OUT) !== 0 && this.isEcho(s, step)) return;

    const matches = this.repetition(s, step, view, session, ctx, obs);
    if (matches === 0 && (step.flags & (HAS_IN | HAS_OUT)) !== 0) s.novel += 1;
    if (view.kind !== 'model') this.alternation(s, step, session, ctx, obs);
    if (view.kind === 'tool') this.failingTool(s, step, view, session, ctx, obs);
    this.monologueStep(s, step, view, obs, session, ctx);

    // into the ring (overwriting the oldest slot)
    const slot = s.next;
    const at = slot * STRIDE;
    s.sigs.set(scratch, at);
    // flags, the kind, and `novel` when the step was taken (a message repeats without progress only if nothing new came since)
    s.sigs[at + FLAGS] = step.flags | (KIND_CODE[step.kind] << KIND_SHIFT);
    s.sigs[at + NOVEL] = s.novel;
    s.refs[slot * 3] = step.name;
    s.refs[slot * 3 + 1] = step.eventId;
    s.refs[slot * 3 + 2] = step.spanId;
    s.next = (slot + 1) % WINDOW;
    if (s.size < WINDOW) s.size += 1;
  }

  /** Whether the step is the last one stored again: same speaker, same words. */
  private isEcho(s: ProgressState, step: Step): boolean {
    if (s.size === 0) return false;
    const last = (s.next + WINDOW - 1) % WINDOW;
    const meta = s.sigs[last * STRIDE + FLAGS]!;
    if (s.refs[last * 3] !== step.name || meta >>> KIND_SHIFT !== KIND_CODE[step.kind] || (meta & HAS_OUT) === 0) return false;
    return similarityAt(scratch, K, s.sigs, last * STRIDE + K) === 1;
  }

  /** Judges the step against the window; returns how many earlier steps it repeats (0: it brought something new). */
  private repetition(s: ProgressState, step: Step, view: StepView, session: SessionState, ctx: DetectorContext, obs: Observation): number {
    const t = ctx.thresholds;
    // A tool call whose arguments were not recorded is never "the same call".
    const comparable = view.kind !== 'tool' || (step.flags & HAS_IN) !== 0;
    let matches = 0;
    let simSum = 0;
    // scratch evidence lists (copied when a finding is made): no allocation for the many steps that match nothing
    const eventIds = scratchEventIds;
    const spanIds = scratchSpanIds;
    eventIds.length = 0;
    spanIds.length = 0;
    if (comparable) {
      const sigs = s.sigs;
      const kind = KIND_CODE[step.kind];
      for (let i = 0; i < s.size; i++) {
        const at = i * STRIDE;
        const meta = sigs[at + FLAGS]!;
        if (meta >>> KIND_SHIFT !== kind || s.refs[i * 3] !== step.name) continue;
        // a message said again after something new was said (an answer, a new page) is a prompt that works, not a loop
        if (view.kind === 'message' && sigs[at + NOVEL] !== s.novel) continue;
        const f = meta & FLAG_MASK;
        const inSim = (step.flags & HAS_IN) === 0 && (f & HAS_IN) === 0 ? 1 : (step.flags & f & HAS_IN) === 0 ? 0 : similarityAt(scratch, 0, sigs, at);
        if (inSim < t.repetition_input_similarity) continue;
        // nothing new: the same error again, or a near-identical result
        if ((f & FAILED) !== (step.flags & FAILED) || (step.flags & f & HAS_OUT) === 0) continue;
        const outSim = similarityAt(scratch, K, sigs, at + K);
        if (outSim < t.repetition_output_similarity) continue;
        matches += 1;
        simSum += (step.flags & HAS_IN) === 0 ? outSim : inSim;
        if (eventIds.length < MAX_EVIDENCE - 1) eventIds.push(s.refs[i * 3 + 1]!);
        const span = s.refs[i * 3 + 2];
        if (span && spanIds.length < MAX_EVIDENCE - 1) spanIds.push(span);
      }
    }
    if (matches === 0) {
      s.sinceRepeat += 1;
      // once, when the run of steps without a repeat reaches CLEAR_AFTER (a repeat starts it again)
      if (s.sinceRepeat === CLEAR_AFTER && s.openRepeats.size > 0) {
        for (const name of s.openRepeats) {
          ctx.resolve(session, 'repetition', name, {
            message: `Repetition on ${name} is over: ${CLEAR_AFTER} steps since without a repeat.`,
            resolution: 'recovered',
            trigger: refOf(obs.event),
          });
        }
        s.openRepeats.clear();
      }
      return 0;
    }
    s.sinceRepeat = 0;
    if (step.failed && burstOpen(obs, session, ctx)) return matches; // told as an error burst already
    const attempts = matches + 1;
    // A message said again unchanged is already a repeated step; a tool call may be retried once.
    const needed = view.kind === 'message' ? Math.max(2, t.repetition_min_attempts - 1) : t.repetition_min_attempts;
    if (attempts < needed) return matches;
    if (ctx.isOpen(session, 'tool_loop', step.name)) return matches; // the exact-repeat loop already says it
    eventIds.push(step.eventId);
    if (step.spanId) spanIds.push(step.spanId);
    const sim = Math.round((simSum / matches) * 100) / 100;
    const what =
      view.kind === 'tool'
        ? `${step.name}(${snippet(view.input, 80)})`
        : view.kind === 'model'
          ? `${step.name}: "${snippet(view.output, 80)}"`
          : `${step.name}: "${snippet(view.output, 80)}"`;
    const outcome = step.failed
      ? `the same error each time ("${snippet(view.error, 120)}")`
      : view.kind === 'message'
        ? 'nothing new said in between'
        : 'near-identical results each time';
    const noun = view.kind === 'tool' ? 'calls' : view.kind === 'model' ? 'model replies' : 'messages';
    s.openRepeats.add(step.name);
    const summary = `${attempts} near-identical ${noun} of ${step.name} (similarity ${sim}) with ${outcome}`;
    session.progressNote = { summary, eventIds: [...eventIds], spanIds: [...spanIds] };
    // one insight per cause: a tool already told as failing again and again is not told twice
    if (ctx.isOpen(session, 'failing_tool', step.name)) return matches;
    ctx.raise(session, {
      pattern: 'repetition',
      key: step.name,
      severity: attempts,
      // the first repeat past the threshold is a note (agents recover from a retried edit); more is a warning
      level: attempts > needed ? 'WARNING' : 'INFO',
      confidence: Math.min(0.95, BASE_CONFIDENCE.repetition + 0.03 * (attempts - t.repetition_min_attempts) + (sim - 0.7) * 0.2),
      message: `Repetition without progress: ${summary}, within the last ${WINDOW} steps.`,
      explanation:
        view.kind === 'message'
          ? `Said again: ${what}. Compared by word-shingle similarity (MinHash), not equality; a message that says little of its own (a bare header, "Finished") never counts, nor one said again after any agent said something new.`
          : `Retried: ${what}. Compared by word-shingle similarity (MinHash), not equality, so rewordings and drifting arguments count; a repeat that returned something new (a new page, a new error) would not count.`,
      recommendations: [
        'Show the agent its earlier attempts and their results, or change its approach',
        'Cap retries of one step and escalate to the user',
        'Check whether the tool result reaches the model intact',
      ],
      trigger: refOf(obs.event),
      evidenceEventIds: [...eventIds],
      evidenceSpanIds: [...spanIds],
      facts: {
        session_id: session.id,
        attempts,
        similarity: sim,
        retried: what,
        step_kind: view.kind,
        outcome: step.failed ? 'same_error' : view.kind === 'message' ? 'nothing_new_since' : 'same_result',
        repeated_span_ids: [...spanIds],
      },
    });
    return matches;
  }

  private alternation(s: ProgressState, step: Step, session: SessionState, ctx: DetectorContext, obs: Observation): void {
    const slot = s.actionCount % ALT;
    s.actions[slot] = step.id;
    s.actionRefs[slot * 3] = step.eventId;
    s.actionRefs[slot * 3 + 1] = step.spanId;
    s.actionRefs[slot * 3 + 2] = step.name;
    s.actionCount += 1;
    // oldest first: q(i) is the i-th of the last ALT actions
    const base = s.actionCount;
    const q = s.actions;
    const q0 = q[base % ALT]!;
    const q1 = q[(base + 1) % ALT]!;
    const alternating =
      s.actionCount >= ALT && q0 !== q1 && q0 === q[(base + 2) % ALT] && q0 === q[(base + 4) % ALT] && q1 === q[(base + 3) % ALT] && q1 === q[(base + 5) % ALT];
    if (!alternating) {
      if (s.alternationOpen) {
        s.alternationOpen = false;
        ctx.resolve(session, 'alternation', '', { message: 'The A-B-A-B alternation is over.', resolution: 'recovered', trigger: refOf(obs.event) });
      }
      return;
    }
    const a = s.actionRefs[(base % ALT) * 3 + 2]!;
    const b = s.actionRefs[((base + 1) % ALT) * 3 + 2]!;
    if (ctx.isOpen(session, 'tool_loop', a) || ctx.isOpen(session, 'tool_loop', b)) return;
    s.alternationOpen = true;
    const eventIds: string[] = [];
    const spanIds: string[] = [];
    for (let i = 0; i < ALT; i++) {
      const k = (base + i) % ALT;
      eventIds.push(s.actionRefs[k * 3]!);
      const span = s.actionRefs[k * 3 + 1];
      if (span) spanIds.push(span);
    }
    const summary = `${a} and ${b} taking turns with the same arguments and outcomes (A-B-A-B-A-B)`;
    session.progressNote = { summary, eventIds, spanIds };
    ctx.raise(session, {
      pattern: 'alternation',
      key: '',
      severity: 6,
      level: 'WARNING',
      confidence: BASE_CONFIDENCE.alternation,
      message: `Stuck alternating: ${summary}.`,
      explanation: 'Six actions in a row alternate between two whose arguments and results do not change: the agent oscillates instead of progressing.',
      recommendations: ['Interrupt the agent and restate the goal', 'Check that each result tells the agent something new'],
      trigger: refOf(obs.event),
      evidenceEventIds: eventIds,
      evidenceSpanIds: spanIds,
      facts: { session_id: session.id, a, b, repeated_span_ids: spanIds },
    });
  }

  private failingTool(s: ProgressState, step: Step, view: StepView, session: SessionState, ctx: DetectorContext, obs: Observation): void {
    const t = ctx.thresholds;
    let r = s.tools.get(step.name);
    if (!r) {
      if (s.tools.size >= MAX_TOOLS) s.tools.delete(s.tools.keys().next().value as string);
      r = { codes: [], eventIds: [], next: 0, failures: 0 };
      s.tools.set(step.name, r);
    }
    const input = step.flags & HAS_IN ? scratch[0]! >>> 1 : 0;
    const code = input * 2 + (step.failed ? 1 : 0);
    if (step.failed) r.failures += 1;
    if (r.codes.length < TOOL_RING) {
      r.codes.push(code);
      r.eventIds.push(step.eventId);
    } else {
      if (r.codes[r.next]! % 2 === 1) r.failures -= 1;
      r.codes[r.next] = code;
      r.eventIds[r.next] = step.eventId;
      r.next = (r.next + 1) % TOOL_RING;
    }
    const failures = r.failures;
    if (!step.failed) {
      if (s.failingOpen > 0 && failures < t.failing_tool_count && s.openFailing.has(step.name)) {
        s.openFailing.delete(step.name);
        s.failingOpen = s.openFailing.size;
        ctx.resolve(session, 'failing_tool', step.name, {
          message: `${step.name} works again (${failures} failures in its last ${r.codes.length} calls).`,
          resolution: 'recovered',
          trigger: refOf(obs.event),
        });
      }
      return;
    }
    if (failures < t.failing_tool_count) return;
    const distinct = new Set<number>();
    const ids: string[] = [];
    for (let i = 0; i < r.codes.length; i++) {
      const c = r.codes[i]!;
      if (c % 2 === 0) continue;
      distinct.add((c - 1) / 2);
      ids.push(r.eventIds[i]!);
    }
    if (distinct.size < 2) return;
    if (ctx.isOpen(session, 'repetition', step.name)) return; // one insight per cause: the repetition names it
    if (burstOpen(obs, session, ctx)) return;
    s.openFailing.add(step.name);
    s.failingOpen = s.openFailing.size;
    const summary = `${step.name} failed ${failures} of its last ${r.codes.length} calls, with ${distinct.size} different arguments`;
    session.progressNote = { summary, eventIds: ids, spanIds: [] };
    ctx.raise(session, {
      pattern: 'failing_tool',
      key: step.name,
      severity: failures,
      level: 'WARNING',
      confidence: Math.min(0.95, BASE_CONFIDENCE.failing_tool + 0.03 * (failures - t.failing_tool_count)),
      message: `Failing again and again: ${summary}; latest error: "${snippet(view.error, 140)}".`,
      explanation: 'The agent keeps varying the arguments of a tool that keeps failing: it is guessing rather than learning from the errors.',
      recommendations: [
        `Check the errors ${step.name} returns: are they clear enough for the model to act on?`,
        'Give the agent an example of a correct call, or stop it after N failures',
      ],
      trigger: refOf(obs.event),
      evidenceEventIds: ids,
      evidenceSpanIds: step.spanId ? [step.spanId] : [],
      facts: {
        session_id: session.id,
        tool_name: step.name,
        failures,
        calls: r.codes.length,
        distinct_arguments: distinct.size,
        latest_error: snippet(view.error, 300),
      },
    });
  }

  private monologueStep(s: ProgressState, step: Step, view: StepView, obs: Observation, session: SessionState, ctx: DetectorContext): void {
    if (view.kind === 'tool') {
      this.endMonologue(s, session, ctx, obs);
      return;
    }
    if (view.kind !== 'model') return;
    const d = obs.event.details;
    const toolCalls = d.tool_calls;
    const hasTools = d.finish_reason === 'tool_calls' || (Array.isArray(toolCalls) && toolCalls.length > 0);
    if (hasTools) {
      this.endMonologue(s, session, ctx, obs);
      return;
    }
    s.monologue += 1;
    if (s.monologueIds.length < MAX_EVIDENCE) s.monologueIds.push(step.eventId);
    const t = ctx.thresholds;
    if (s.monologue < t.monologue_steps) return;
    s.monologueOpen = true;
    ctx.raise(session, {
      pattern: 'monologue',
      key: '',
      severity: s.monologue,
      level: 'WARNING',
      confidence: BASE_CONFIDENCE.monologue,
      message: `Monologue: ${s.monologue} model calls in a row with no tool call, user message or final answer.`,
      explanation: 'The model keeps talking to itself; in an agent loop each turn should act (call a tool) or answer.',
      recommendations: ['Check the stop condition of the agent loop', 'Make the model call a tool or answer (tool_choice, a stop instruction)'],
      trigger: refOf(obs.event),
      evidenceEventIds: s.monologueIds,
      evidenceSpanIds: [],
      facts: { session_id: session.id, model_calls: s.monologue },
    });
  }

  private endMonologue(s: ProgressState, session?: SessionState, ctx?: DetectorContext, obs?: Observation): void {
    if (s.monologueOpen && session && ctx && obs) {
      ctx.resolve(session, 'monologue', '', {
        message: `Monologue over after ${s.monologue} model calls.`,
        resolution: 'recovered',
        trigger: refOf(obs.event),
      });
    }
    // a new array (a raised finding holds the old one), but none for the many steps that end no monologue
    if (s.monologue > 0) s.monologueIds = [];
    s.monologue = 0;
    s.monologueOpen = false;
  }
}
