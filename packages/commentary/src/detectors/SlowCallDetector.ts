import type { Detector, DetectorContext } from '../Detector.js';
import { Baselines } from '../Baselines.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { modelOf, toolNameOf } from '../classify.js';

interface SlowState {
  /** Names with an open slow insight in this session. */
  open: Set<string>;
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

  constructor(private readonly index: number, private readonly kind: 'tool' | 'model') {
    this.name = kind === 'tool' ? 'slow_tool' : 'slow_model';
    this.patterns = kind === 'tool' ? ['slow_tool'] as const : ['slow_model'] as const;
  }

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const want = this.kind === 'tool' ? Category.TOOL_CALL : Category.MODEL_CALL;
    if (obs.category !== want) return;
    const event = obs.event;
    const name = this.kind === 'tool' ? toolNameOf(event) : modelOf(event);
    const ttft = event.performance_metrics?.time_to_first_token_ms;
    const value = this.kind === 'model' && typeof ttft === 'number' ? ttft : event.duration_ms;
    if (value === null || !Number.isFinite(value)) return;
    const metric = this.kind === 'model' && typeof ttft === 'number' ? 'time to first token' : 'duration';
    const baselineName = `${name}\u0000${metric}`;
    const usual = event.details.usual_ms;
    if (this.kind === 'tool' && typeof usual === 'number' && usual > 0) this.baselines.seed(baselineName, usual, 3);
    const t = ctx.thresholds;
    const b = this.baselines.get(baselineName);
    const pattern = this.patterns[0];
    const slow = b !== undefined && b.samples >= t.slow_min_samples && value > b.mean * t.slow_factor && value - b.mean >= t.slow_min_excess_ms;
    let s = session.slots[this.index] as SlowState | undefined;
    if (!slow) {
      this.baselines.add(baselineName, value);
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
    if (!s) {
      s = { open: new Set() };
      session.slots[this.index] = s;
    }
    s.open.add(name);
    const factor = Math.round((value / b.mean) * 10) / 10;
    const label = this.kind === 'tool' ? `Slow tool: ${name}` : `Slow model call: ${name}`;
    ctx.raise(session, {
      pattern,
      key: name,
      severity: factor,
      level: 'WARNING',
      confidence: Math.min(0.95, BASE_CONFIDENCE[pattern] + (factor >= 10 ? 0.15 : factor >= 5 ? 0.1 : 0)),
      message: `${label} took ${formatMs(value)} (${metric}), ${factor}× its usual ${formatMs(b.mean)}.`,
      explanation: `Judged against ${name}'s own running baseline over ${b.samples} earlier calls, not a global limit.`,
      recommendations: this.kind === 'tool'
        ? ['Run the analyze_performance script for this session', `Check what ${name} waits on (I/O, network, locks)`]
        : ['Check the model provider status and rate limits', 'Consider a faster model or a timeout with retry'],
      trigger: refOf(event),
      evidenceEventIds: [event.event_id],
      evidenceSpanIds: event.span_id ? [event.span_id] : [],
      facts: { session_id: session.id, [this.kind === 'tool' ? 'tool_name' : 'model']: name, metric, value_ms: Math.round(value), baseline_ms: Math.round(b.mean), factor },
    });
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)} ms`;
}
