import type { LogLevel } from '@debbie/model';
import type { EventRef } from './Observation.js';
import type { PatternId } from './patterns.js';

/** What a detector reports: raised (opened or worsened) or, through `resolve`, cleared. */
export interface Finding {
  pattern: PatternId;
  /** Tells apart concurrent problems of one pattern in one session ('' when there is one at a time). */
  key: string;
  /** How bad it is (a count, seconds, a factor): the insight is updated when this grows by half. */
  severity: number;
  level: LogLevel;
  confidence: number;
  /** One line a person understands. */
  message: string;
  /** The reasoning, added at insight_level 'detailed'. */
  explanation: string;
  recommendations: string[];
  /** The event that triggered the finding (the comment links to it). */
  trigger: EventRef;
  evidenceEventIds: readonly string[];
  evidenceSpanIds: readonly string[];
  /** Pattern-specific facts (stall_duration, likely_cause, tool_name, factor …). */
  facts: Record<string, unknown>;
}

/** How a resolved insight ended. */
export interface Resolution {
  message: string;
  /** 'recovered' (activity resumed on its own), 'user', 'automatic' (an intervention), 'expired'. */
  resolution: string;
  facts?: Record<string, unknown>;
  trigger?: EventRef;
}
