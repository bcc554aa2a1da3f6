// The shapes the console's API answers with (see packages/console/src/server).

export type SessionStatus = 'running' | 'stalled' | 'looping' | 'erroring' | 'finished';

export interface SessionRow {
  session_id: string;
  status: SessionStatus;
  first_timestamp: string;
  last_timestamp: string;
  duration_ms: number;
  event_count: number;
  error_count: number;
  sources: string[];
  agents: string[];
  models: string[];
  input_tokens: number;
  output_tokens: number;
  latest_comment: { timestamp: string; summary: string; pattern: string | null; status: string | null } | null;
  pending: number;
  silent_ms: number | null;
}

export interface SessionPage {
  total: number;
  offset: number;
  sessions: SessionRow[];
  by_status: Record<SessionStatus, number>;
  search_truncated: boolean;
  indexing: boolean;
}

export interface ConsoleInfo {
  live: boolean;
  stall_ms: number;
  statuses: SessionStatus[];
}

/** A DebbieEvent as JSON. */
export interface DebbieEvent {
  timestamp: string;
  level: string;
  source: string;
  component: string;
  action: string;
  event_summary: string;
  event_id: string;
  duration_ms: number | null;
  session_id: string | null;
  agent_id: string | null;
  correlation_id: string | null;
  parent_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  parent_span_id: string | null;
  kind: 'span' | 'log';
  service_name: string | null;
  tags: string[];
  performance_metrics: Record<string, number> | null;
  details: Record<string, unknown>;
  state_before: unknown;
  state_after: unknown;
  stack_trace: string | null;
  context_snapshot: Record<string, unknown> | null;
}

/** [start µs, duration ms (-1 point), source, level, label, event id, parent id, parent span id, span id]. */
export type StepRow = [number, number, string, string, string, string, string | null, string | null, string | null];

/** One line of GET /console/api/sessions/:id (NDJSON). */
export type SessionLine =
  | { head: { session_id: string; pending: DebbieEvent[]; status: SessionStatus | null; stall_ms: number } }
  | { rows: StepRow[] }
  | { comments: DebbieEvent[] }
  | { done: { sent: number; total: number } };

export interface RunStep {
  key: string;
  kind: 'tool' | 'model';
  name: string;
  event_id: string;
  start_ms: number;
  duration_ms: number;
  input_tokens: number;
  output_tokens: number;
  error: boolean;
}

export interface RunSide {
  session_id: string;
  steps: RunStep[];
  dropped: number;
  totals: { duration_ms: number; input_tokens: number; output_tokens: number; errors: number };
}

export interface RunComparison {
  a: RunSide;
  b: RunSide;
  rows: { a: number | null; b: number | null; same: boolean }[];
  first_divergence: number | null;
}
