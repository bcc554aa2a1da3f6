// `@debbie/commentary/eval`: the evaluation harness (labelled simulator corpus and scoring), kept
// out of the package's main API. The public-data evaluation is packages/commentary/eval/public.mjs.
export { scoreRuns, formatScoreTable, falsePositives, missedFaults } from './score.js';
export type { ScoredRun, PatternScore, LabelledInterval, ScoreOptions } from './score.js';
export { corpusCases, runCase, TUNE_SEEDS, TEST_SEEDS, JITTERS } from './corpus.js';
export type { SimulatorApi, CorpusCase } from './corpus.js';
