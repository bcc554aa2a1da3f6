import type { EventRef } from './Observation.js';
import type { PatternId } from './patterns.js';

/** An insight that is open: one per ongoing problem (session, pattern, key). */
export interface OpenInsight {
  insight_id: string;
  pattern: PatternId;
  key: string;
  severity: number;
  confidence: number;
  updates: number;
  openedClockUs: number;
  trigger: EventRef;
  message: string;
}

/** Updates of one insight are capped: a problem that keeps worsening is not a flood. */
export const MAX_UPDATES_PER_INSIGHT = 5;
/** An update needs the severity to grow by this factor since the last comment. */
export const WORSEN_FACTOR = 1.5;

export function insightKey(pattern: PatternId, key: string): string {
  return key === '' ? pattern : `${pattern}|${key}`;
}
