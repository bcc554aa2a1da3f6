import type { PatternId } from '../patterns.js';

/** Who an intervention is for. */
export interface InterventionTarget {
  sessionId: string;
  agentId: string | null;
  pattern: PatternId;
  insightId: string;
}

/**
 * Something Debbie can do about a problem. `apply` resolves once the action is delivered (e.g. the
 * message is on the wire) and rejects when it could not be; whether it helped is judged by the
 * processor from what the session does next.
 */
export interface InterventionStrategy {
  /** Stable name, used for the failure budget and in comments ("continuation_injection"). */
  readonly name: string;
  /** The seed's injection_type ("continuation"). */
  readonly kind: string;
  handles(pattern: PatternId): boolean;
  /** What is about to be done, for the `debbie` event ("Injecting continuation prompt to unstick agent"). */
  describe(target: InterventionTarget): string;
  apply(target: InterventionTarget): Promise<void>;
  /** Releases connections; called by the processor's shutdown. */
  close?(): Promise<void>;
}
