import type { Command } from '../Command.js';

/** Every `debbie` command, in the order `debbie --help` lists them. One import per command file. */
export const COMMANDS: Command[] = [
];
