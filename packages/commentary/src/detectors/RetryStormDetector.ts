import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';

const RETRY_TEXT = /\bretry(ing)?\b|\bretried\b|\battempt \d+/i;
const MAX_OPERATIONS = 32;

interface OperationState {
  times: number[];
  next: number;
  count: number;
  open: boolean;
  lastUs: number;
  eventIds: string[];
}

/** Whether an event says it is a retry: details.attempt ≥ 2, details.retry, or the words (DEBUG events are not judged). */
function isRetry(obs: Observation): boolean {
  const e = obs.event;
  // Streaming chunks and other DEBUG chatter are never retries worth a storm.
  if (e.level === 'DEBUG') return false;
  if (e.action.includes('retry')) return true;
  const attempt = e.details.attempt ?? e.details.retry_attempt ?? e.details.retry_count;
  if (typeof attempt === 'number') return attempt >= (e.details.retry_count !== undefined ? 1 : 2);
  if (e.details.retry === true || e.details.is_retry === true) return true;
  // Cheap pre-filter before the regex: most summaries contain neither word.
  const s = e.event_summary;
  return (s.includes('etr') || s.includes('ttempt')) && RETRY_TEXT.test(s);
}

/**
 * Retry storm: `retry_storm_count` retries of one operation (component + action / RPC method)
 * within `retry_storm_window_seconds`.
 */
export class RetryStormDetector implements Detector {
  readonly name = 'retry_storm';
  readonly patterns = ['retry_storm'] as const;
  readonly interest = Interest.ALL;

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    if (obs.category === 5 /* USER_MESSAGE */) return;
    let ops = session.slots[this.index] as Map<string, OperationState> | undefined;
    const t = ctx.thresholds;
    const windowUs = t.retry_storm_window_seconds * 1e6;
    if (!isRetry(obs)) {
      if (ops && ops.size > 0) {
        const op = ops.get(operationOf(obs));
        if (op?.open && obs.startUs - op.lastUs > windowUs) this.close(session, ops, operationOf(obs), op, obs, ctx);
      }
      return;
    }
    if (!ops) {
      ops = new Map();
      session.slots[this.index] = ops;
    }
    const key = operationOf(obs);
    let op = ops.get(key);
    if (!op) {
      if (ops.size >= MAX_OPERATIONS) ops.delete(ops.keys().next().value as string);
      op = { times: [], next: 0, count: 0, open: false, lastUs: 0, eventIds: [] };
      ops.set(key, op);
    }
    const now = obs.startUs;
    if (op.times.length < t.retry_storm_count) op.times.push(now);
    else {
      op.times[op.next] = now;
      op.next = (op.next + 1) % t.retry_storm_count;
    }
    op.lastUs = now;
    op.count += 1;
    if (op.eventIds.length < 12) op.eventIds.push(obs.event.event_id);
    if (!op.open) {
      if (op.times.length < t.retry_storm_count || now - op.times[op.next % op.times.length]! > windowUs) return;
      op.open = true;
      op.count = t.retry_storm_count;
    }
    ctx.raise(session, {
      pattern: 'retry_storm',
      key,
      severity: op.count,
      level: 'WARNING',
      confidence: BASE_CONFIDENCE.retry_storm,
      message: `Retry storm: ${key} retried ${op.count} times within ${t.retry_storm_window_seconds}s.`,
      explanation: 'Retries this close together rarely succeed and add load to whatever is failing; back off or fix the cause.',
      recommendations: ['Add exponential backoff with a retry budget', 'Look at the error that triggers the retries'],
      trigger: refOf(obs.event),
      evidenceEventIds: op.eventIds,
      evidenceSpanIds: obs.event.span_id ? [obs.event.span_id] : [],
      facts: { session_id: session.id, operation: key, retries: op.count },
    });
  }

  private close(session: SessionState, ops: Map<string, OperationState>, key: string, op: OperationState, obs: Observation, ctx: DetectorContext): void {
    ops.delete(key);
    ctx.resolve(session, 'retry_storm', key, {
      message: `Retry storm on ${key} is over (${op.count} retries).`,
      resolution: 'recovered',
      trigger: refOf(obs.event),
    });
  }
}

function operationOf(obs: Observation): string {
  const e = obs.event;
  const method = e.details.rpc_method ?? e.details.tool_name;
  return typeof method === 'string' ? `${e.component}:${method}` : `${e.component}:${e.action.replace(/_?retry(ing)?_?/, '') || 'call'}`;
}
