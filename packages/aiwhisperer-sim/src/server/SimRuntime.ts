import type { Clock } from '@debbie/model';
import type { DebbieLogger } from '@debbie/sdk';
import type { Random } from '../util/Random.js';
import type { TruthRecorder } from '../truth/TruthRecorder.js';

/** What the server's parts share: time, instrumentation, randomness, ground truth, notifications. */
export interface SimRuntime {
  clock: Clock;
  logger: DebbieLogger;
  rng: Random;
  /** Timing variation, a fraction (0.2 → ±20 %). */
  jitter: number;
  truth: TruthRecorder;
  /** Sends a JSON-RPC notification to the session's owner connection(s). */
  notify(sessionId: string, method: string, params: Record<string, unknown>): void;
}
