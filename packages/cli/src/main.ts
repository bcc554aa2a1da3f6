import { parseArgs } from 'node:util';
import { DebbieError } from '@debbie/model';
import type { Command, CommandIO, OptionSpec, ParsedValues } from './Command.js';
import { COMMANDS } from './commands/index.js';

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show this help.' };

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: debbie ${cmd.name} ${cmd.usage}`.trimEnd(), '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  const opts = Object.entries({ ...cmd.options, help: HELP_OPTION });
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
    'Run `debbie <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

/** Runs the CLI with the given arguments (without node and script). Returns the exit code. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write('debbie 0.1.0\n');
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`debbie: unknown command "${name}". Run \`debbie --help\` for the list.\n`);
    return 2;
  }
  const cmd = await entry.load();
  let values: ParsedValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...toParseArgs(cmd.options), help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values as ParsedValues;
    positionals = parsed.positionals;
  } catch (error) {
    io.stderr.write(`debbie ${cmd.name}: ${(error as Error).message}\nRun \`debbie ${cmd.name} --help\` for usage.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(commandHelp(cmd));
    return 0;
  }
  if (!cmd.positionals && positionals.length > 0) {
    io.stderr.write(`debbie ${cmd.name}: unexpected argument "${positionals[0]}".\nRun \`debbie ${cmd.name} --help\` for usage.\n`);
    return 2;
  }
  try {
    return await cmd.run(values, positionals, io);
  } catch (error) {
    if (error instanceof DebbieError) {
      io.stderr.write(`debbie ${cmd.name}: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`debbie ${cmd.name}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

function toParseArgs(options: Record<string, OptionSpec>) {
  const out: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }> = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  return out;
}
