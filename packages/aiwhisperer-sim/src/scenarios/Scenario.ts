import type { ModelStep, SessionPlan, SlowMethod, UserAction } from '../script.js';
import type { Random } from '../util/Random.js';

/** Corpus variants: each adds a look-alike (or more sessions) to any scenario. */
export const VARIANTS = ['default', 'concurrent', 'long-chain', 'idle-user', 'noisy-errors', 'paging'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface ScenarioParams {
  /** Random source for this session's script (forked per session). */
  rng: Random;
  /** Timing variation fraction. */
  jitter: number;
  /** 0-based index of the session in a concurrent run. */
  index: number;
  /** Slowness factor for slow-tool (default 25). */
  slowFactor: number;
}

/** What one scenario contributes for one session. */
export interface ScenarioScript {
  steps: ModelStep[];
  actions: UserAction[];
}

export interface ScenarioDefinition {
  name: string;
  /** One line: the real failure mode it reproduces. */
  description: string;
  /** The model's replies and the user's actions for one session. */
  script(params: ScenarioParams): ScenarioScript;
  /** Server methods answered late. */
  slowMethods?: SlowMethod[];
}

export type { SessionPlan };
