import type { Command } from '../Command.js';
import { collectCommand } from './collect.js';
import { ingestCommand } from './ingest.js';
import { demoCommand } from './demo.js';
import { sessionsCommand } from './sessions.js';
import { eventsCommand } from './events.js';
import { scriptsCommand } from './scripts.js';
import { runScriptCommand } from './run-script.js';
import { analyzeCommand } from './analyze.js';
import { timelineCommand } from './timeline.js';
import { exportCommand } from './export.js';
import { mcpCommand } from './mcp.js';
import { tailCommand } from './tail.js';

/** Every `debbie` command, in the order `debbie --help` lists them. One import per command file. */
export const COMMANDS: Command[] = [
  demoCommand,
  sessionsCommand,
  eventsCommand,
  analyzeCommand,
  timelineCommand,
  exportCommand,
  scriptsCommand,
  runScriptCommand,
  collectCommand,
  ingestCommand,
  tailCommand,
  mcpCommand,
];
