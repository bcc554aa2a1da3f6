#!/usr/bin/env node
// Usage: node dist/main.js [SCENARIO] [LEVEL] — e.g. `node dist/main.js tool-loop WARNING`.
import { isLogLevel } from '@debbie/model';
import { simulate } from './simulate.js';

const [scenario = 'continuation-stall', level = 'INFO'] = process.argv.slice(2);
if (!isLogLevel(level)) {
  process.stderr.write(`simulated-session: unknown level "${level}"\n`);
  process.exit(2);
}
try {
  const session = await simulate(scenario, level);
  for (const line of session.lines) process.stdout.write(`${line}\n`);
  process.stdout.write(`\n${session.events} events; injected faults: ${session.faults.join(', ') || 'none'}\n`);
} catch (error) {
  process.stderr.write(`simulated-session: ${(error as Error).message}\n`);
  process.exit(1);
}
