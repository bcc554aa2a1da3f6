import type { Writable } from 'node:stream';

/** An option of a command, as node:util parseArgs takes it, plus help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** Shown in --help; name the default there too. */
  description: string;
  /** Placeholder in --help, e.g. "PATH". */
  value?: string;
}

export interface CommandIO {
  stdout: Writable;
  stderr: Writable;
  /** Environment (process.env by default). */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** One `debbie <name>` command. One file per command under src/commands/. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line after "debbie <name>", e.g. "--session ID [--format text|json]". */
  usage: string;
  /** Longer help, examples. */
  description?: string;
  options: Record<string, OptionSpec>;
  /** Whether positional arguments are accepted (e.g. files). */
  positionals?: boolean;
  /** Returns the exit code. Throw a DebbieError for a user-facing failure. */
  run(values: ParsedValues, positionals: string[], io: CommandIO): Promise<number>;
}
