import { DebbieError } from '@debbie/model';
import { SCENARIO_DEFINITIONS } from './definitions.js';
import type { ScenarioDefinition } from './Scenario.js';

/** Scenario names with a one-line description of the failure mode each reproduces. */
export const SCENARIOS: readonly { name: string; description: string }[] = SCENARIO_DEFINITIONS.map((d) => ({ name: d.name, description: d.description }));

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

export function findScenario(name: string): ScenarioDefinition {
  const def = SCENARIO_DEFINITIONS.find((d) => d.name === name);
  if (!def) throw new DebbieError('unknown_scenario', `Unknown scenario "${name}". Known: ${SCENARIO_NAMES.join(', ')}, all`);
  return def;
}
