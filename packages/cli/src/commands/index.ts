import type { Command } from '../Command.js';
import { demoCommand } from './demo.js';

/** Every `debbie` command, in the order `debbie --help` lists them. One import per command file. */
export const COMMANDS: Command[] = [
  demoCommand,
];
