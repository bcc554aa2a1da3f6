import { runScenario, SCENARIO_NAMES } from '@debbie/aiwhisperer-sim';
import { formatDebbieLine, levelRank, type LogLevel } from '@debbie/model';

export interface SimulatedSession {
  /** Seed-format lines of the events at or above the level asked for, in emission order. */
  lines: string[];
  /** The faults the simulator injected, as its ground truth states them. */
  faults: string[];
  events: number;
}

/**
 * Runs one scenario of the simulator package on its simulated clock (seconds of session time in
 * milliseconds) and returns what a person would read: the session's lines and its ground truth.
 */
export async function simulate(scenario: string, minLevel: LogLevel = 'INFO'): Promise<SimulatedSession> {
  if (!SCENARIO_NAMES.includes(scenario)) throw new Error(`unknown scenario "${scenario}"; one of ${SCENARIO_NAMES.join(', ')}`);
  const run = await runScenario(scenario, { seed: 1 });
  const floor = levelRank(minLevel);
  return {
    lines: run.events.filter((e) => levelRank(e.level) >= floor).map((e) => formatDebbieLine(e)),
    faults: run.truth.faults.map((f) => f.pattern),
    events: run.events.length,
  };
}
