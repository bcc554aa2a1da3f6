// The shapes the console's API answers with: the one definition, used by the browser code here and
// by the server (packages/console/src/server imports these types through the project reference).

/** What the console says a session is doing. */
export type SessionStatus = 'running' | 'stalled' | 'looping' | 'erroring' | 'finished';

/** Debbie's latest comment on a session. */
export interface LatestComment {
  timestamp: string;
  summary: string;
  pattern: string | null;
  /** open, resolved … (the comment's details.status). */
  status: string | null;
}

/** The console's row for a session: the store's summary and what the board adds. */
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
  latest_comment: LatestComment | null;
  /** Spans in progress (live sessions only). */
  pending: number;
  /** Wall-clock ms since the last event arrived (live sessions only), else null. */
  silent_ms: number | null;
}

/** One page of the sessions list. */
export interface SessionPage {
  /** Sessions that pass the filters. */
  total: number;
  offset: number;
  sessions: SessionRow[];
  /** Sessions per status among those that pass the other filters. */
  by_status: Record<SessionStatus, number>;
  /** True when a text search stopped scanning events at its limit (results may be incomplete). */
  search_truncated: boolean;
  /** True while the stored sessions' models, tokens and comments are still being read (ask again). */
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

/**
 * One step as the session page needs it: [start µs since epoch, duration ms (-1: a point event),
 * source, level, label, event id, parent id, parent span id, span id]. The details pane fetches the
 * whole event when asked.
 */
export type StepRow = [number, number, string, string, string, string, string | null, string | null, string | null];

/** One line of GET /console/api/sessions/:id (NDJSON). */
export type SessionLine =
  | { head: { session_id: string; pending: DebbieEvent[]; status: SessionStatus | null; stall_ms: number } }
  | { rows: StepRow[] }
  | { comments: DebbieEvent[] }
  | { done: { sent: number; total: number } };

/** One step of a run: a tool call or a model call, in time order. */
export interface RunStep {
  /** What is compared: "tool:list_rfcs", "model:openai/gpt-4o-mini". */
  key: string;
  kind: 'tool' | 'model';
  name: string;
  event_id: string;
  /** ms since the run's first step. */
  start_ms: number;
  duration_ms: number;
  input_tokens: number;
  output_tokens: number;
  error: boolean;
}

export interface RunSide {
  session_id: string;
  steps: RunStep[];
  /** Steps beyond maxSteps, left out of the alignment. */
  dropped: number;
  totals: { duration_ms: number; input_tokens: number; output_tokens: number; errors: number };
}

/** A row of the side-by-side view: the indexes of the aligned steps (null where one run has no counterpart). */
export interface AlignedRow {
  a: number | null;
  b: number | null;
  /** Both sides have the same step here. */
  same: boolean;
}

export interface RunComparison {
  a: RunSide;
  b: RunSide;
  rows: AlignedRow[];
  /** Index into rows of the first row where the runs differ; null when they never do. */
  first_divergence: number | null;
}
