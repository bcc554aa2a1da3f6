import type { DebbieEvent } from './DebbieEvent.js';
import type { EventFilter } from './filter.js';
import type { LogSource } from './LogSource.js';

/** One row of `debbie sessions`. */
export interface SessionSummary {
  session_id: string;
  first_timestamp: string;
  last_timestamp: string;
  duration_ms: number;
  event_count: number;
  error_count: number;
  events_per_source: Partial<Record<LogSource, number>>;
  agents: string[];
}

export interface QueryOptions {
  /** Maximum rows (default: all). */
  limit?: number;
  offset?: number;
  /** By timestamp; default ascending. */
  order?: 'asc' | 'desc';
}

/** Paging of listSessions: by first activity, oldest first unless order is 'desc'. */
export interface SessionListOptions {
  limit?: number;
  offset?: number;
  order?: 'asc' | 'desc';
  /** Only sessions whose id starts with this (resolving a typed prefix costs one narrow query). */
  idPrefix?: string;
}

/** One event on a session timeline, in time order. */
export interface TimelineEntry {
  event: DebbieEvent;
  start_us: number;
  /** start + duration for spans, start for point events. */
  end_us: number;
  /** Silence before this entry (ms): its start minus the latest end of all earlier entries; 0 when they overlap. */
  gap_before_ms: number;
  /** Nesting depth in the span tree (0 at a root). */
  depth: number;
}

export interface SessionTimeline {
  session_id: string;
  start: string;
  end: string;
  duration_ms: number;
  entries: TimelineEntry[];
  /** Silences longer than the threshold used, largest first. */
  gaps: { after_event_id: string; before_event_id: string; start: string; duration_ms: number }[];
}

/** A node of the parent/child tree: a span or a point event with its children in time order. */
export interface SpanNode {
  event: DebbieEvent;
  children: SpanNode[];
}

/**
 * Read access to stored events. The embedded store implements it over DuckDB; the collector's
 * HTTP client implements it over the query API; the CLI, report and scripts use either.
 */
export interface EventReader {
  listSessions(options?: SessionListOptions): Promise<SessionSummary[]>;
  queryEvents(filter: EventFilter, options?: QueryOptions): Promise<DebbieEvent[]>;
  /** The same rows as queryEvents, in pages, without holding them all in memory. */
  streamEvents(filter: EventFilter, options?: { batchSize?: number }): AsyncIterable<DebbieEvent[]>;
  countEvents(filter: EventFilter): Promise<number>;
  correlationGroup(correlationId: string): Promise<DebbieEvent[]>;
  timeline(sessionId: string, options?: { gapThresholdMs?: number }): Promise<SessionTimeline>;
  /** Roots of the span tree of a session (one per turn when instrumented as Debbie does). */
  spanTree(sessionId: string): Promise<SpanNode[]>;
  close(): Promise<void>;
}
