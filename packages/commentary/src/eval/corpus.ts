import type { Clock, DebbieEvent, EventSink } from '@debbie/model';
import { CommentaryProcessor } from '../CommentaryProcessor.js';
import type { CommentaryConfigInput } from '../config.js';
import type { LabelledInterval, ScoredRun } from './score.js';

/**
 * The slice of the simulator's API the corpus needs (`runScenario` of packages/aiwhisperer-sim),
 * passed in so this package does not depend on the simulator.
 */
export interface SimulatorApi {
  runScenario(
    name: string,
    options: {
      seed?: number;
      jitter?: number;
      variant?: string;
      clock?: Clock;
      debbie?: { commentary?: (emit: (event: DebbieEvent) => void) => EventSink };
      onServerReady?: (ready: { url: string }) => void | Promise<void>;
    },
  ): Promise<{ events: DebbieEvent[]; truth: { faults: LabelledInterval[]; decoys: LabelledInterval[] } }>;
  /** A fresh simulated clock (the simulator's SimClock). */
  newClock(): Clock;
}

export interface CorpusCase {
  scenario: string;
  variant: string;
  seed: number;
  jitter: number;
}

/** Seeds of the two halves: detectors are tuned on TUNE_SEEDS and reported on TEST_SEEDS. */
export const TUNE_SEEDS: readonly number[] = [1, 2, 3];
export const TEST_SEEDS: readonly number[] = [11, 12, 13];
/** Timing jitter per seed: the halves see both mild and strong jitter. */
export const JITTERS: readonly number[] = [0.1, 0.3];

/** Every scenario in every variant, for each seed and jitter. */
export function corpusCases(
  scenarios: readonly string[],
  variants: readonly string[],
  seeds: readonly number[],
  jitters: readonly number[] = JITTERS,
): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const scenario of scenarios)
    for (const variant of variants)
      for (const seed of seeds) {
        // One jitter per seed keeps the corpus small; over the seeds both levels appear.
        cases.push({ scenario, variant, seed, jitter: jitters[seed % jitters.length]! });
      }
  return cases;
}

/** Runs one case live in the simulator with a CommentaryProcessor on its clock; returns what to score. */
export async function runCase(sim: SimulatorApi, c: CorpusCase, config: CommentaryConfigInput = {}): Promise<ScoredRun & { processor: CommentaryProcessor }> {
  const clock = sim.newClock();
  let url = '';
  let processor: CommentaryProcessor | undefined;
  const run = await sim.runScenario(c.scenario, {
    seed: c.seed,
    jitter: c.jitter,
    variant: c.variant,
    clock,
    onServerReady: (ready) => {
      url = ready.url;
    },
    debbie: {
      commentary: (emit) => (processor = new CommentaryProcessor({ clock, config, onComment: emit, interventionUrl: () => url })),
    },
  });
  await processor!.shutdown();
  return {
    name: `${c.scenario}/${c.variant}/seed${c.seed}/j${c.jitter}`,
    faults: run.truth.faults,
    decoys: run.truth.decoys,
    comments: run.events.filter((e) => e.source === 'debbie_comment' || e.source === 'debbie'),
    processor: processor!,
  };
}
