import { parseArgs } from 'node:util';
import { DebbieError } from '@debbie/model';
import type { Command, CommandIO, OptionSpec, ParsedValues } from './Command.js';
import { COMMANDS } from './commands/index.js';
import { describeSystemError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from './exitCodes.js';
import { didYouMean } from './suggest.js';

export const VERSION = '0.1.0';

/** The commands that read debbie.yaml (and so take --config); docs/cli.md lists them too. */
const CONFIG_COMMANDS = ['demo', 'collect', 'ingest', 'analyze', 'run-script', 'mcp', 'ui'];

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show this help.' };

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: HELP_OPTION,
  debug: { type: 'boolean', description: 'On an error, print the stack trace too (also DEBBIE_DEBUG=1).' },
};

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: debbie ${cmd.name} ${cmd.usage}`.trimEnd(), '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  const opts = Object.entries({ ...cmd.options, ...GLOBAL_OPTIONS });
  if (opts.length) {
    lines.push('', 'Options:');
    const rows = opts.map(([name, o]) => {
      const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
      return [flag, `${o.description}${o.multiple ? ' (repeatable)' : ''}`] as const;
    });
    const width = Math.max(...rows.map(([f]) => f.length)) + 2;
    for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}${text}`);
  }
  return `${lines.join('\n')}\n`;
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'debbie: make AI-agent sessions debuggable.',
    '',
    'Usage: debbie <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `debbie help <command>` (or `debbie <command> --help`) for the options of a command.',
    'Exit status: 0 success, 1 failure, 2 usage error. --debug shows the stack trace of an error.',
    '',
  ].join('\n');
}

/** Runs the CLI with the given arguments (without node and script). Returns the exit code. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  // `debbie --debug CMD …` is the same as `debbie CMD … --debug`.
  const args = [...argv];
  let debug = io.env.DEBBIE_DEBUG === '1';
  while (args[0] === '--debug') {
    debug = true;
    args.shift();
  }
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr).write(mainHelp());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === 'help') return help(rest, io);
  if (name === '--version' || name === '-V') {
    io.stdout.write(`debbie ${VERSION}\n`);
    return EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const hint = didYouMean(
      name,
      COMMANDS.map((c) => c.name),
      (c) => `\`debbie ${c}\``,
    );
    io.stderr.write(`debbie: unknown command "${name}".${hint} Run \`debbie --help\` for the list.\n`);
    return EXIT_USAGE;
  }
  const cmd = await entry.load();
  let values: ParsedValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: toParseArgs({ ...cmd.options, ...GLOBAL_OPTIONS }),
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values as ParsedValues;
    positionals = parsed.positionals;
  } catch (error) {
    io.stderr.write(`debbie ${cmd.name}: ${usageMessage(error as NodeJS.ErrnoException, cmd)}\nRun \`debbie ${cmd.name} --help\` for usage.\n`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.stdout.write(commandHelp(cmd));
    return EXIT_OK;
  }
  debug ||= values.debug === true;
  if (!cmd.positionals && positionals.length > 0) {
    const hint = didYouMean(
      positionals[0]!,
      COMMANDS.map((c) => c.name),
    );
    io.stderr.write(`debbie ${cmd.name}: unexpected argument "${positionals[0]}".${hint}\nRun \`debbie ${cmd.name} --help\` for usage.\n`);
    return EXIT_USAGE;
  }
  try {
    return await cmd.run(values, positionals, io);
  } catch (error) {
    return reportError(error, cmd.name, debug, io);
  }
}

/** `debbie help [CMD]`. */
async function help(rest: string[], io: CommandIO): Promise<number> {
  const topic = rest.find((a) => !a.startsWith('-'));
  if (!topic) {
    io.stdout.write(mainHelp());
    return EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === topic);
  if (!entry) {
    const hint = didYouMean(
      topic,
      COMMANDS.map((c) => c.name),
      (c) => `\`debbie help ${c}\``,
    );
    io.stderr.write(`debbie help: unknown command "${topic}".${hint} Run \`debbie --help\` for the list.\n`);
    return EXIT_USAGE;
  }
  io.stdout.write(commandHelp(await entry.load()));
  return EXIT_OK;
}

/** parseArgs' complaint in our words, with the nearest flag for a typo. */
function usageMessage(error: NodeJS.ErrnoException, cmd: Command): string {
  const flags = Object.keys({ ...cmd.options, ...GLOBAL_OPTIONS });
  const option = /'(?:-\w, )?(-{1,2}[^', ]+)/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const typed = option.replace(/^-+/, '').split('=')[0]!;
    if (typed === 'config')
      return `--config: debbie ${cmd.name} reads nothing from debbie.yaml, so it takes no --config (the commands that do: ${CONFIG_COMMANDS.join(', ')})`;
    return `unknown option ${option}.${didYouMean(typed, flags, (f) => `--${f}`)}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    const spec = cmd.options[option.replace(/^-+/, '')];
    return spec?.type === 'string' ? `${option} needs a value (${spec.value ?? 'VALUE'})` : `${option} takes no value`;
  }
  return error.message;
}

/** Prints a command's error as one line (with the stack under --debug) and returns the exit code. */
function reportError(error: unknown, command: string, debug: boolean, io: CommandIO): number {
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  if (error instanceof DebbieError) {
    io.stderr.write(`debbie ${command}: ${error.message}\n${stack}`);
    return exitCodeFor(error);
  }
  const system = describeSystemError(error);
  if (system) {
    io.stderr.write(`debbie ${command}: ${system}\n${stack}`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`debbie ${command}: unexpected error: ${message}${stack ? `\n${stack}` : ' (run again with --debug for the stack trace)\n'}`);
  return EXIT_FAILURE;
}

function toParseArgs(options: Record<string, OptionSpec>) {
  const out: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }> = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
    };
  }
  return out;
}
