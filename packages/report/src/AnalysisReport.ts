import type { LogLevel, LogSource } from '@debbie/model';

/** The four sections of the seed's analysis report. */
export type ReportSection = 'performance' | 'errors' | 'patterns' | 'recommendations';

export const REPORT_SECTIONS: readonly ReportSection[] = ['performance', 'errors', 'patterns', 'recommendations'];

/** Latency of one tool or model, from every span of it. Quantiles are sketch estimates (see `accuracy`). */
export interface LatencyStats {
  name: string;
  count: number;
  p50_ms: number;
  p95_ms: number;
  /** Exact. */
  max_ms: number;
  mean_ms: number;
  total_ms: number;
  /** The slowest spans of this name, slowest first (at most 3). */
  slowest_event_ids: string[];
}

export interface ModelStats extends LatencyStats {
  input_tokens: number;
  output_tokens: number;
}

export interface SlowOperation {
  event_id: string;
  timestamp: string;
  source: LogSource;
  /** Tool name, model, or component/action. */
  name: string;
  agent_id: string | null;
  duration_ms: number;
  summary: string;
}

export interface SourceTime {
  source: LogSource;
  events: number;
  spans: number;
  /** Sum of span durations (nested spans count in their own source too). */
  span_ms: number;
  /** span_ms as a share of all sources' span_ms, 0..1. */
  share: number;
}

export interface PerformanceSection {
  tools: LatencyStats[];
  models: ModelStats[];
  slowest: SlowOperation[];
  per_source: SourceTime[];
}

export interface ErrorGroup {
  /** The message with numbers, ids, uuids, paths, URLs and quoted values masked. */
  template: string;
  count: number;
  critical: number;
  first_seen: string;
  last_seen: string;
  sources: LogSource[];
  agents: string[];
  /** True when more agents were affected than the report lists. */
  agents_truncated: boolean;
  sample_message: string;
  /** The first few events of the group (at most 5). */
  sample_event_ids: string[];
}

export interface ErrorsSection {
  total: number;
  groups: ErrorGroup[];
  /** Errors whose template arrived after the group limit was reached, counted but not grouped. */
  ungrouped: number;
}

/** Where a finding came from. */
export type FindingOrigin =
  /** A debbie_comment event stored in the session. */
  | 'commentary'
  /** The commentary package's detectors, run over the session by the report. */
  | 'detector'
  /** The report's own simple checks (stalls, tool loops, slow outliers, error bursts): only when commentary is off. */
  | 'analyzer';

export interface PatternFinding {
  origin: FindingOrigin;
  pattern: string;
  summary: string;
  /** 0..1 when known. */
  confidence: number | null;
  timestamp: string | null;
  /** The comment event itself (commentary) or null. */
  event_id: string | null;
  /** Event ids that show it. */
  evidence: string[];
  recommendations: string[];
  /** Measured numbers behind an analyzer finding (e.g. max_ms, p50_ms, factor), when it has them. */
  metrics?: Record<string, number>;
  /** For an insight (commentary or detector): its id, level, status and how often it was updated. */
  insight?: { insight_id: string; level: string; status: 'open' | 'resolved'; updates: number; resolution: string | null; span_ids: string[] };
}

export interface PatternsSection {
  /** debbie_comment events in the session (all counted; at most `limits.maxFindings` listed). */
  stored_comments: number;
  /** Which finders ran, e.g. ["commentary", "analyzer"]. */
  origins: FindingOrigin[];
  findings: PatternFinding[];
  /** Findings not listed because of the limit. */
  dropped: number;
}

export interface Recommendation {
  priority: 'high' | 'medium' | 'low';
  /** What to do, as an imperative sentence. */
  action: string;
  /** Why: the measured fact behind it. */
  because: string;
  /** Event ids to look at. */
  evidence: string[];
}

export interface AnalysisReport {
  session_id: string | null;
  generated_at: string;
  /** The time range asked for, if any. */
  time_range: { start: string | null; end: string | null } | null;
  sections: ReportSection[];
  first_timestamp: string | null;
  last_timestamp: string | null;
  duration_ms: number;
  event_count: number;
  events_per_source: Partial<Record<LogSource, number>>;
  events_per_level: Partial<Record<LogLevel, number>>;
  agents: string[];
  accuracy: { quantiles: string };
  /**
   * What bounded memory or bad input cost: agents and tool/model names seen but not listed, events
   * that arrived out of time order, events skipped because their timestamp is not ISO-8601.
   */
  truncated: { agents: number; names: number; out_of_order_events: number; bad_timestamps: number };
  performance?: PerformanceSection;
  errors?: ErrorsSection;
  patterns?: PatternsSection;
  recommendations?: Recommendation[];
}
