// Scores Debbie's detectors on the labelled corpus from the AIWhisperer simulator.
// Usage: node packages/commentary/eval/evaluate.mjs [--half tune|test|all] [--verbose] [--config '<json of debbie_config.commentary>']
// (build first: pnpm exec tsc -b packages/commentary packages/aiwhisperer-sim)
import { runScenario, SCENARIO_NAMES, VARIANTS, SimClock } from '@debbie/aiwhisperer-sim';
import { corpusCases, runCase, scoreRuns, formatScoreTable, falsePositives, missedFaults, TUNE_SEEDS, TEST_SEEDS } from '@debbie/commentary/eval';

const args = process.argv.slice(2);
const half = args.includes('--half') ? args[args.indexOf('--half') + 1] : 'test';
const verbose = args.includes('--verbose');
const config = args.includes('--config') ? JSON.parse(args[args.indexOf('--config') + 1]) : {};
const seeds = half === 'tune' ? TUNE_SEEDS : half === 'test' ? TEST_SEEDS : [...TUNE_SEEDS, ...TEST_SEEDS];
const sim = { runScenario, newClock: () => new SimClock() };
const cases = corpusCases(SCENARIO_NAMES, VARIANTS, seeds);
const started = performance.now();
const runs = [];
for (const c of cases) runs.push(await runCase(sim, c, config));
const scores = scoreRuns(runs);
console.log(
  `Labelled corpus: ${cases.length} runs (${SCENARIO_NAMES.length} scenarios × ${VARIANTS.length} variants × seeds ${seeds.join(',')}), half '${half}', ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
console.log(formatScoreTable(scores));
if (verbose) {
  for (const line of falsePositives(runs)) console.log(`FP  ${line}`);
  for (const line of missedFaults(runs)) console.log(`MISS ${line}`);
}
