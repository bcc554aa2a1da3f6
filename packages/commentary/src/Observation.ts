import type { DebbieEvent } from '@debbie/model';

/** What an event is to the detectors, decided once per event by `classify`. */
export const Category = {
  OTHER: 0,
  /** A finished tool call (a tool span). */
  TOOL_CALL: 1,
  /** A finished model call (an ai_service span). */
  MODEL_CALL: 2,
  /** Agent-side work in progress: tool start, stream chunk, agent log, self-continuation. */
  AGENT_ACTIVITY: 3,
  /** The session manager's continuation decision (details.decision). */
  DECISION: 4,
  /** A message from the user (or injected by an intervention) reaching the agent. */
  USER_MESSAGE: 5,
  /** A JSON-RPC request handled over the WebSocket (a websocket span with rpc_method). */
  RPC: 6,
} as const;
export type Category = (typeof Category)[keyof typeof Category];

/** Interest bits: a detector is only called for events whose bits meet its `interest`. */
export const Interest = {
  /** One bit per Category: `1 << category`. */
  of: (...categories: Category[]): number => categories.reduce<number>((m, c) => m | (1 << c), 0),
  /** Events at ERROR or CRITICAL. */
  ERRORS: 1 << 8,
  /** Events carrying performance_metrics. */
  METRICS: 1 << 9,
  /** Every event. */
  ALL: 1 << 10,
} as const;

/** Where a finding points: the event (usually a span) that triggered it. */
export interface EventRef {
  event_id: string;
  span_id: string | null;
  trace_id: string | null;
  correlation_id: string | null;
  agent_id: string | null;
}

export function refOf(event: DebbieEvent): EventRef {
  return {
    event_id: event.event_id,
    span_id: event.span_id,
    trace_id: event.trace_id,
    correlation_id: event.correlation_id,
    agent_id: event.agent_id,
  };
}

/**
 * One event as the detectors see it. The processor reuses a single instance for every event
 * (no allocation on the hot path): detectors must copy what they keep, never the object.
 */
export class Observation {
  event!: DebbieEvent;
  /** Which event this is (counts up per event observed): state shared by detectors is updated once per event. */
  seq = 0;
  category: Category = Category.OTHER;
  /** Event time (epoch µs) the operation started; for a point event, its time. */
  startUs = 0;
  /** Event time the operation ended (start + duration). */
  endUs = 0;
  /** The processor clock's time when the event arrived. */
  arrivalClockUs = 0;
  /** `endUs` on the processor clock: arrival minus the export lag (lag capped, so replays of old files do not look like silence). */
  endClockUs = 0;
  isError = false;
  /** This event's interest bits (category, ERRORS, METRICS, ALL). */
  bits = 0;
}
