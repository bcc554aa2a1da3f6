import type { OpenInsight } from './InsightBook.js';

/** What the processor keeps per session: detector slots, open insights, intervention bookkeeping. */
export class SessionState {
  /** Each detector's own state, by detector index (created lazily by the detector). */
  readonly slots: unknown[];
  /** Open insights by `${pattern}|${key}`; null until the first one. */
  insights: Map<string, OpenInsight> | null = null;
  lastSeenClockUs: number;
  agentId: string | null = null;
  /** The agent's display name when an event told it (details.agent_name, e.g. "Patricia"). */
  agentName: string | null = null;
  evicted = false;
  /** Comments made in this session (the budget: thresholds.max_comments_per_session). */
  comments = 0;
  /** Interventions made in this session (bounded by interventions.max_per_session). */
  interventions = 0;
  /** The latest stuck pattern the progress detector saw (what a run-limit comment names as the steps that led there). */
  progressNote: { summary: string; eventIds: string[]; spanIds: string[] } | null = null;
  /** The intervention whose outcome is being watched, if any. */
  pending: PendingIntervention | null = null;

  constructor(
    readonly id: string,
    detectorCount: number,
    nowUs: number,
  ) {
    this.slots = new Array<unknown>(detectorCount);
    this.lastSeenClockUs = nowUs;
  }
}

export interface PendingIntervention {
  strategy: string;
  startedClockUs: number;
  insightKey: string;
  cancelTimer: () => void;
}
