#!/usr/bin/env node
import { main } from './main.js';

// `debbie events … | head` closes the pipe early: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// `pnpm debbie …` runs us from the repository root; pnpm names the user's directory in INIT_CWD.
const cwd = process.env.npm_lifecycle_event === 'debbie' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd });
process.exitCode = code;
