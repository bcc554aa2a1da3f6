import type { CommentaryThresholds } from './config.js';
import type { Finding, Resolution } from './Finding.js';
import type { Observation } from './Observation.js';
import type { PatternId } from './patterns.js';
import type { SessionState } from './SessionState.js';

/** What a detector may do besides reading events. */
export interface DetectorContext {
  readonly thresholds: CommentaryThresholds;
  /** Processor clock now (epoch µs). */
  now(): number;
  /** Opens the insight for (session, pattern, key), or updates it if it got worse. */
  raise(session: SessionState, finding: Finding): void;
  /** Closes the insight, if open, with a resolution comment. */
  resolve(session: SessionState, pattern: PatternId, key: string, resolution: Resolution): void;
  isOpen(session: SessionState, pattern: PatternId, key: string): boolean;
  /** Calls this detector's `onDeadline` for the session at (or soon after) `dueClockUs`. */
  schedule(session: SessionState, dueClockUs: number): void;
}

/**
 * An online detector: O(1) amortized work per event, bounded state per session (kept in the
 * session's slot for this detector).
 */
export interface Detector {
  readonly name: string;
  readonly patterns: readonly PatternId[];
  /** Which events to call `observe` for (Interest bits), so most events skip most detectors. */
  readonly interest: number;
  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void;
  /** A deadline the detector scheduled came due (stall timers). */
  onDeadline?(session: SessionState, ctx: DetectorContext): void;
}
