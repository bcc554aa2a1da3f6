#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isLogLevel, type EventSink, type LogLevel } from '@debbie/model';
import { ConsoleSink } from '@debbie/sdk';
import { AiWhispererLogSink } from './logs/AiWhispererLogSink.js';
import { runScenario } from './runScenario.js';
import { SCENARIOS, SCENARIO_NAMES } from './scenarios/index.js';
import { VARIANTS, type Variant } from './scenarios/Scenario.js';

const HELP = `Usage: node dist/main.js --scenario NAME|all [options]

Runs simulated AIWhisperer sessions on a simulated clock and prints every event in the seed's
line format, then the run's ground truth.

Options:
  --scenario NAME   one of: ${SCENARIO_NAMES.join(', ')}, all (default healthy)
  --seed N          seed (default 1)
  --jitter F        timing variation fraction (default 0.1)
  --variant V       one of: ${VARIANTS.join(', ')} (default default)
  --sessions N      concurrent sessions (default 1; 3 for --variant concurrent)
  --level LEVEL     lowest level printed (default INFO)
  --aiw-logs DIR    also write AIWhisperer-format logs (aiwhisperer_server.log, agent_<id>.log) to DIR
  --truth-only      print only the ground truth (JSON)
  --list            list the scenarios
  --help            this text

Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(20)}${s.description}`).join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'healthy' },
      seed: { type: 'string', default: '1' },
      jitter: { type: 'string', default: '0.1' },
      variant: { type: 'string', default: 'default' },
      sessions: { type: 'string' },
      level: { type: 'string', default: 'INFO' },
      'aiw-logs': { type: 'string' },
      'truth-only': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(20)}${s.description}\n`);
    return 0;
  }
  const seed = Number(values.seed);
  const jitter = Number(values.jitter);
  const level = values.level.toUpperCase();
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) throw new Error(`--jitter must be a number from 0 to 1, got "${values.jitter}"`);
  if (!isLogLevel(level)) throw new Error(`--level must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got "${values.level}"`);
  if (!(VARIANTS as readonly string[]).includes(values.variant)) throw new Error(`--variant must be one of ${VARIANTS.join(', ')}, got "${values.variant}"`);
  const sessions = values.sessions === undefined ? undefined : Number(values.sessions);
  const names = values.scenario === 'all' ? SCENARIO_NAMES : [values.scenario];
  const truths = [];
  for (const name of names) {
    if (!SCENARIO_NAMES.includes(name)) throw new Error(`Unknown scenario "${name}". Known: ${SCENARIO_NAMES.join(', ')}, all`);
    const sinks: EventSink[] = values['truth-only'] ? [] : [new ConsoleSink({ minLevel: level as LogLevel })];
    const logs = values['aiw-logs'] ? new AiWhispererLogSink({ dir: values['aiw-logs'] }) : undefined;
    if (logs) sinks.push(logs);
    if (!values['truth-only']) process.stdout.write(`\n=== scenario ${name} (seed ${seed}, variant ${values.variant}) ===\n`);
    const run = await runScenario(name, { seed, jitter, variant: values.variant as Variant, ...(sessions !== undefined ? { sessions } : {}), sinks });
    await logs?.shutdown();
    truths.push(run.truth);
    if (!values['truth-only']) {
      process.stdout.write(`--- ${run.events.length} events, ${run.sessionIds.length} session(s), ${(run.simulatedMs / 1000).toFixed(1)} s simulated\n`);
      process.stdout.write(`--- ground truth: ${JSON.stringify(run.truth)}\n`);
    }
  }
  if (values['truth-only']) process.stdout.write(`${JSON.stringify(truths, null, 2)}\n`);
  return 0;
}

// `main.js | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`aiwhisperer-sim: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
