export { main, commandHelp, mainHelp } from './main.js';
export type { Command, CommandIO, OptionSpec, ParsedValues } from './Command.js';
