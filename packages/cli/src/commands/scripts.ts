import { listLibraryScripts } from '@debbie/python';
import type { Command } from '../Command.js';
import { formatFlag, outputFormat } from '../flags.js';
import { writeOut } from '../readerOptions.js';

const FORMATS = ['text', 'json'] as const;

export const scriptsCommand: Command = {
  name: 'scripts',
  summary: 'List the debugging script library (run one with `debbie run-script --library NAME`).',
  usage: '[--format text|json]',
  description: [
    'Each script reads the session as `logs` (and `df` with pandas), prints a report and leaves',
    'its numbers in a `result` variable. Parameters go in with --param KEY=VALUE.',
    '',
    'Examples (on the store `debbie demo` writes):',
    '  debbie scripts',
    '  debbie run-script --library analyze_performance --session b7d9a88c --param slow_ms=500',
  ].join('\n'),
  options: { format: formatFlag(FORMATS, 'text') },
  async run(values, _positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    const scripts = listLibraryScripts();
    if (format === 'json') {
      await writeOut(
        io,
        `${JSON.stringify(
          scripts.map(({ source: _source, ...rest }) => rest),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const width = Math.max(...scripts.map((s) => s.name.length)) + 2;
    const lines: string[] = [];
    for (const s of scripts) {
      lines.push(`${s.name.padEnd(width)}${s.summary}`);
      for (const p of s.params) lines.push(`${' '.repeat(width)}  --param ${p.name}=… (default ${p.default}): ${p.description}`);
    }
    await writeOut(io, `${lines.join('\n')}\n`);
    return 0;
  },
};
