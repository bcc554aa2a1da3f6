import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';

interface MemoryState {
  lastMb: number;
  open: boolean;
}

/** Resident memory in MB from the metric names instrumentations use. */
function memoryMb(metrics: Record<string, number>): number | undefined {
  const mb = metrics.memory_mb ?? metrics.rss_mb ?? metrics.memory_rss_mb;
  if (typeof mb === 'number') return mb;
  const bytes = metrics.memory_bytes ?? metrics['process.memory.usage'];
  return typeof bytes === 'number' ? bytes / 1_048_576 : undefined;
}

/**
 * Memory spike: resident memory above `memory_spike_mb`, or a jump of `memory_jump_mb` over the
 * session's previous reading. Resolved when memory is back under the limit.
 */
export class MemorySpikeDetector implements Detector {
  readonly name = 'memory_spike';
  readonly patterns = ['memory_spike'] as const;
  readonly interest = Interest.METRICS;

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const metrics = obs.event.performance_metrics;
    if (metrics === null) return;
    const mb = memoryMb(metrics);
    if (mb === undefined) return;
    let s = session.slots[this.index] as MemoryState | undefined;
    if (!s) {
      s = { lastMb: mb, open: false };
      session.slots[this.index] = s;
    }
    const t = ctx.thresholds;
    const jump = mb - s.lastMb;
    const previous = s.lastMb;
    s.lastMb = mb;
    const event = obs.event;
    if (mb > t.memory_spike_mb || (jump >= t.memory_jump_mb && !s.open)) {
      s.open = true;
      ctx.raise(session, {
        pattern: 'memory_spike',
        key: '',
        severity: mb,
        level: 'WARNING',
        confidence: BASE_CONFIDENCE.memory_spike,
        message: `Memory spike: ${Math.round(mb)} MB resident (${jump >= 0 ? '+' : ''}${Math.round(jump)} MB since the previous reading, limit ${t.memory_spike_mb} MB).`,
        explanation: 'A sudden rise usually comes from one large tool result or conversation history kept in memory.',
        recommendations: ['Run the memory_analysis script for this session', 'Check the size of the last tool result and the history kept'],
        trigger: refOf(event),
        evidenceEventIds: [event.event_id],
        evidenceSpanIds: event.span_id ? [event.span_id] : [],
        facts: { session_id: session.id, memory_mb: Math.round(mb), previous_mb: Math.round(previous), limit_mb: t.memory_spike_mb },
      });
    } else if (s.open && mb <= t.memory_spike_mb) {
      s.open = false;
      ctx.resolve(session, 'memory_spike', '', {
        message: `Memory back to ${Math.round(mb)} MB.`,
        resolution: 'recovered',
        facts: { memory_mb: Math.round(mb) },
        trigger: refOf(event),
      });
    }
  }
}
