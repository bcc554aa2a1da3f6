import type { Detector, DetectorContext } from '../Detector.js';
import { Baselines } from '../Baselines.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { modelOf } from '../classify.js';

/**
 * Token spike: one model call using far more tokens (input + output) than that model's running
 * mean (`token_spike_factor` ×) and at least `token_spike_min_tokens`.
 */
export class TokenSpikeDetector implements Detector {
  readonly name = 'token_spike';
  readonly patterns = ['token_spike'] as const;
  readonly interest = Interest.of(Category.MODEL_CALL);
  private readonly baselines = new Baselines();

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    if (obs.category !== Category.MODEL_CALL) return;
    const m = obs.event.performance_metrics;
    if (m === null) return;
    const input = m.input_tokens ?? 0;
    const output = m.output_tokens ?? 0;
    const tokens = input + output || (m.total_tokens ?? 0);
    if (tokens <= 0) return;
    const model = modelOf(obs.event);
    const t = ctx.thresholds;
    const b = this.baselines.get(model);
    const spike = b !== undefined && b.samples >= t.slow_min_samples && tokens >= t.token_spike_min_tokens && tokens > b.mean * t.token_spike_factor;
    const open = session.slots[this.index] === true;
    if (!spike) {
      this.baselines.add(model, tokens);
      if (open) {
        session.slots[this.index] = false;
        ctx.resolve(session, 'token_spike', model, {
          message: `Token use of ${model} back to normal (${tokens} tokens).`,
          resolution: 'recovered',
          trigger: refOf(obs.event),
        });
      }
      return;
    }
    session.slots[this.index] = true;
    const factor = Math.round((tokens / b.mean) * 10) / 10;
    ctx.raise(session, {
      pattern: 'token_spike',
      key: model,
      severity: factor,
      level: 'WARNING',
      confidence: BASE_CONFIDENCE.token_spike,
      message: `Token spike: a ${model} call used ${tokens} tokens (${input} in / ${output} out), ${factor}× its usual ${Math.round(b.mean)}.`,
      explanation:
        'Input tokens grow with the conversation history and tool results sent back; a jump usually means a very large tool result went into the context.',
      recommendations: ['Run the token_usage_report script', 'Truncate or summarize large tool results before sending them to the model'],
      trigger: refOf(obs.event),
      evidenceEventIds: [obs.event.event_id],
      evidenceSpanIds: obs.event.span_id ? [obs.event.span_id] : [],
      facts: { session_id: session.id, model, tokens, input_tokens: input, output_tokens: output, baseline_tokens: Math.round(b.mean), factor },
    });
  }
}
