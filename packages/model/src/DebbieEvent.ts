import type { LogLevel } from './LogLevel.js';
import type { LogSource } from './LogSource.js';

/**
 * The one normalized record every part of Debbie consumes: the seed's EnhancedLogMessage
 * (LogMessage fields plus debugging context) with OpenTelemetry trace ids.
 * Field names are the seed's snake_case, in memory and in JSON.
 */
export interface DebbieEvent {
  /** ISO-8601 UTC with microseconds; for a span, its start. */
  timestamp: string;
  level: LogLevel;
  /** The part of the system that emitted it ("session_manager", "list_rfcs", "debugging"). */
  component: string;
  /** What happened, as a short verb phrase id ("tool_execution", "send_user_message"). */
  action: string;
  /** The human-readable message. */
  event_summary: string;
  event_id: string;
  /** Set for operations with a duration (spans). */
  duration_ms: number | null;
  details: Record<string, unknown>;
  state_before: unknown;
  state_after: unknown;
  source: LogSource;
  session_id: string | null;
  agent_id: string | null;
  correlation_id: string | null;
  /** The event this one is nested in: its span's parent span, or the span a log record was emitted in. */
  parent_id: string | null;
  tags: string[];
  performance_metrics: Record<string, number> | null;
  stack_trace: string | null;
  context_snapshot: Record<string, unknown> | null;
  trace_id: string | null;
  span_id: string | null;
  parent_span_id: string | null;
  /** 'span' for an operation with a duration, 'log' for a point event. */
  kind: EventKind;
  /** The emitting service (OTel resource `service.name`), when known. */
  service_name: string | null;
}

export type EventKind = 'span' | 'log';

/** The fields of a DebbieEvent in a stable order: the column set for JSON, CSV and the store. */
export const DEBBIE_EVENT_FIELDS = [
  'timestamp',
  'level',
  'source',
  'component',
  'action',
  'event_summary',
  'event_id',
  'duration_ms',
  'session_id',
  'agent_id',
  'correlation_id',
  'parent_id',
  'trace_id',
  'span_id',
  'parent_span_id',
  'kind',
  'service_name',
  'tags',
  'performance_metrics',
  'details',
  'state_before',
  'state_after',
  'stack_trace',
  'context_snapshot',
] as const satisfies readonly (keyof DebbieEvent)[];

export type DebbieEventField = (typeof DEBBIE_EVENT_FIELDS)[number];
