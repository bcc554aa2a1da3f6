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
  /** The latest finding's message, facts and evidence, kept even when not worse enough to comment: the resolution (and a replay's summary) tells the final state. */
  latestMessage: string;
  latestFacts: Record<string, unknown>;
  latestEventIds: readonly string[];
  latestSpanIds: readonly string[];
}

/** Updates of one insight are capped: a problem that keeps worsening is not a flood. */
export const MAX_UPDATES_PER_INSIGHT = 5;
/** An update needs the severity to grow by this factor since the last comment. */
export const WORSEN_FACTOR = 1.5;

export function insightKey(pattern: PatternId, key: string): string {
  return key === '' ? pattern : `${pattern}|${key}`;
}

/**
 * A stable insight id from what the insight is about (session, pattern, key, the event that opened
 * it): replaying the same events gives the same ids, so reports of one session agree wherever they
 * are made. Two 32-bit FNV-1a hashes, 16 hex digits.
 */
export function stableInsightId(sessionId: string, pattern: string, key: string, eventId: string): string {
  const text = `${sessionId}\u0000${pattern}\u0000${key}\u0000${eventId}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `ins-${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
