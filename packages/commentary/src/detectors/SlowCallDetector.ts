import type { Detector, DetectorContext } from '../Detector.js';
import { Baselines } from '../Baselines.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { modelOf, toolNameOf } from '../classify.js';

interface SlowState {
  /** Names with an open slow insight in this session. */
  open: Set<string>;
  /** The session's own baselines (preferred once they have enough samples). */
  local: Baselines;
}

/** Spans that stand for a whole agent run, a step or a chain: never judged as a model or tool call. */
const NOT_A_CALL = new Set(['agent', 'agent_step', 'chain', 'retriever']);
/** Time spent in child spans, per parent span id (children end, and arrive, before their parent). */
const MAX_PARENTS = 4096;

/**
 * Child time per parent span id, bounded at MAX_PARENTS (the oldest parent forgotten first), kept
 * once for both slow-call detectors (they see the same events). The insertion order is a ring of
 * ids beside the map: evicting by `map.keys().next()` walked over every deleted entry V8 keeps
 * at the map's head until its next rehash (thousands per call once full, as with OTLP spans,
 * whose tool and model calls all have a parent).
 */
export class ChildTime {
  /** Parent span id → its slot in `order` and `ms` (the time lives in a typed array: no boxed number per update). */
  private readonly slots = new Map<string, number>();
  private readonly order: string[] = new Array<string>(MAX_PARENTS);
  private readonly ms = new Float64Array(MAX_PARENTS);
  private head = 0;
  /** The last observation counted (both detectors call `note` with the same one). */
  private lastSeq = -1;

  /** Counts the event's duration for its parent, once per observation. */
  note(obs: Observation): void {
    if (obs.seq === this.lastSeq) return;
    this.lastSeq = obs.seq;
    const event = obs.event;
    if (event.parent_id === null || typeof event.duration_ms !== 'number') return;
    const slots = this.slots;
    // as before: at the bound the oldest parent goes first, whether or not this parent is new
    if (slots.size >= MAX_PARENTS) {
      slots.delete(this.order[this.head]!);
      this.head = (this.head + 1) % MAX_PARENTS;
    }
    const slot = slots.get(event.parent_id);
    if (slot !== undefined) {
      this.ms[slot] += event.duration_ms;
      return;
    }
    const fresh = (this.head + slots.size) % MAX_PARENTS;
    this.order[fresh] = event.parent_id;
    this.ms[fresh] = event.duration_ms;
    slots.set(event.parent_id, fresh);
  }

  of(spanId: string | null): number {
    if (spanId === null) return 0;
    const slot = this.slots.get(spanId);
    return slot === undefined ? 0 : this.ms[slot]!;
  }
}

/** Names (and operations per name) whose baseline keys are kept built. */
const MAX_KEY_NAMES = 1024;

/** The operation of a call, so like is compared with like: a shell tool's program, a model's operation. */
function operationOf(event: { action: string; details: Record<string, unknown> }, kind: 'tool' | 'model'): string {
  if (kind === 'model') return event.action;
  const raw = event.details.tool_arguments ?? event.details.arguments;
  let command: unknown;
  if (typeof raw === 'string' && raw.includes('"command"')) {
    try {
      command = (JSON.parse(raw) as Record<string, unknown>).command;
    } catch {
      command = undefined;
    }
  } else if (raw && typeof raw === 'object') command = (raw as Record<string, unknown>).command;
  if (typeof command !== 'string') return '';
  // "cd /x && make" is make: the last program of a chain does the work
  const last =
    command
      .split(/&&|;|\|\|/)
      .map((c) => c.trim())
      .filter(Boolean)
      .at(-1) ?? '';
  return last.split(/\s+/)[0]?.slice(0, 40) ?? '';
}

/**
 * Slow tool / slow model call: a call much slower than that tool's or model's own running
 * baseline (`slow_factor` × mean and at least `slow_min_excess_ms` over it). Baselines are shared
 * across sessions (a tool is as fast in every session) and learn only from calls that were not slow.
 * For model calls the time to first token is judged when reported (streaming length varies).
 */
export class SlowCallDetector implements Detector {
  readonly name: string;
  readonly patterns: readonly ['slow_tool'] | readonly ['slow_model'];
  readonly interest = Interest.of(Category.TOOL_CALL, Category.MODEL_CALL);
  private readonly baselines = new Baselines();

  /** `children`: child time per parent span (a call is judged by its own time), shared with the other kind's detector. */
  constructor(
    private readonly index: number,
    private readonly kind: 'tool' | 'model',
    private readonly children: ChildTime = new ChildTime(),
  ) {
    this.name = kind === 'tool' ? 'slow_tool' : 'slow_model';
    this.patterns = kind === 'tool' ? (['slow_tool'] as const) : (['slow_model'] as const);
  }

  /** `name\0op\0metric`, built once per combination: the hot path then allocates no key (bounded: cleared when full). */
  private readonly keys = new Map<string, Map<string, string[]>>();

  private baselineKey(name: string, op: string, metric: string): string {
    let byOp = this.keys.get(name);
    if (byOp === undefined) {
      if (this.keys.size >= MAX_KEY_NAMES) this.keys.clear();
      byOp = new Map();
      this.keys.set(name, byOp);
    }
    let byMetric = byOp.get(op);
    if (byMetric === undefined) {
      if (byOp.size >= MAX_KEY_NAMES) byOp.clear();
      byMetric = [];
      byOp.set(op, byMetric);
    }
    const i = metric === 'duration' ? 0 : metric === 'own time' ? 1 : 2;
    return (byMetric[i] ??= `${name}\u0000${op}\u0000${metric}`);
  }

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const event = obs.event;
    // children (tool and model calls) arrive before their parent: their time is not the parent's own
    this.children.note(obs);
    const want = this.kind === 'tool' ? Category.TOOL_CALL : Category.MODEL_CALL;
    if (obs.category !== want) return;
    const spanType = event.details.span_type;
    if (typeof spanType === 'string' && NOT_A_CALL.has(spanType)) return;
    const name = this.kind === 'tool' ? toolNameOf(event) : modelOf(event);
    const ttft = event.performance_metrics?.time_to_first_token_ms;
    const children = this.children.of(event.span_id);
    const value = this.kind === 'model' && typeof ttft === 'number' ? ttft : event.duration_ms === null ? null : event.duration_ms - children;
    if (value === null || !Number.isFinite(value)) return;
    const metric = this.kind === 'model' && typeof ttft === 'number' ? 'time to first token' : children > 0 ? 'own time' : 'duration';
    const op = operationOf(event, this.kind);
    const label = op !== '' && op !== 'tool_execution' && op !== 'chat' ? `${name} ${op}` : name;
    const baselineName = this.baselineKey(name, op, metric);
    let s = session.slots[this.index] as SlowState | undefined;
    if (!s) {
      s = { open: new Set(), local: new Baselines(64) };
      session.slots[this.index] = s;
    }
    const usual = event.details.usual_ms;
    if (this.kind === 'tool' && typeof usual === 'number' && usual > 0) {
      this.baselines.seed(baselineName, usual, 3);
      s.local.seed(baselineName, usual, 3);
    }
    const t = ctx.thresholds;
    // within the session when it has enough history of this call, else across sessions
    const own = s.local.get(baselineName);
    const b = own !== undefined && own.samples >= t.slow_min_samples ? own : this.baselines.get(baselineName);
    const pattern = this.patterns[0];
    const slow = b !== undefined && b.samples >= t.slow_min_samples && value > b.mean * t.slow_factor && value - b.mean >= t.slow_min_excess_ms;
    if (!slow) {
      this.baselines.add(baselineName, value);
      s.local.add(baselineName, value);
      if (s?.open.has(name)) {
        s.open.delete(name);
        ctx.resolve(session, pattern, name, {
          message: `${this.kind === 'tool' ? 'Tool' : 'Model'} ${name} is back to normal speed (${Math.round(value)} ms).`,
          resolution: 'recovered',
          trigger: refOf(event),
        });
      }
      return;
    }
    s.open.add(name);
    const factor = Math.round((value / b.mean) * 10) / 10;
    const title = this.kind === 'tool' ? `Slow tool: ${label}` : `Slow model call: ${label}`;
    ctx.raise(session, {
      pattern,
      key: name,
      severity: factor,
      level: 'WARNING',
      confidence: Math.min(0.95, BASE_CONFIDENCE[pattern] + (factor >= 10 ? 0.15 : factor >= 5 ? 0.1 : 0)),
      message: `${title} took ${formatMs(value)} (${metric}), ${factor}× its usual ${formatMs(b.mean)}.`,
      explanation: `Judged against ${label}'s own running baseline over ${b.samples} earlier calls (${b === own ? 'in this session' : 'across sessions'}), not a global limit.`,
      recommendations:
        this.kind === 'tool'
          ? ['Run the analyze_performance script for this session', `Check what ${name} waits on (I/O, network, locks)`]
          : ['Check the model provider status and rate limits', 'Consider a faster model or a timeout with retry'],
      trigger: refOf(event),
      evidenceEventIds: [event.event_id],
      evidenceSpanIds: event.span_id ? [event.span_id] : [],
      facts: {
        session_id: session.id,
        [this.kind === 'tool' ? 'tool_name' : 'model']: name,
        metric,
        value_ms: Math.round(value),
        baseline_ms: Math.round(b.mean),
        factor,
      },
    });
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)} ms`;
}
