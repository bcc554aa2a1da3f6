/**
 * The one definition of a stall: silence (no operation open, no event) of at least this long.
 * `debbie_config.commentary.thresholds.stall_seconds` defaults to it; the detectors, the report,
 * the timeline, the store's timeline and MCP's explain_stalls all judge silence with `isStall`.
 */
export const DEFAULT_STALL_MS = 30_000;

/** True when a silence of `silenceMs` is a stall under `thresholdMs` (inclusive: exactly the threshold counts). */
export function isStall(silenceMs: number, thresholdMs: number = DEFAULT_STALL_MS): boolean {
  return silenceMs >= thresholdMs;
}
