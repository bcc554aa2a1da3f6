import { DebbieError, formatDebbieLine, parseFilter, type DebbieEvent } from '@debbie/model';
import { StreamClient, formatColoredLine, shouldUseColor } from '@debbie/stream';
import type { Command, ParsedValues } from '../Command.js';

const DEFAULT_URL = 'ws://127.0.0.1:9999';

const str = (v: ParsedValues[string]): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: ParsedValues[string]): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : undefined;

function grepPattern(text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (error) {
    throw new DebbieError('invalid_grep', `"${text}" is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`, '--grep');
  }
}

function count(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new DebbieError('invalid_option', `"${value}" is not a positive whole number`, '--count');
  return Number(value);
}

export const tailCommand: Command = {
  name: 'tail',
  summary: 'Follow events live from a running collector, as colored seed-format lines.',
  usage: '[--source S] [--session ID] [--level L] [--grep RE] [--url URL] [--token T] [--no-replay]',
  description: [
    'Connects to the real-time stream of `debbie collect` (default ws://127.0.0.1:9999), prints the',
    "buffered events that match (unless --no-replay), then follows live until Ctrl-C. The filter runs",
    'on the server; --grep (a regular expression on the printed line) runs here.',
    'Colors by level and source on a terminal; NO_COLOR turns them off, FORCE_COLOR forces them.',
    '',
    'Example: debbie tail --source tool --session 1b2c… --grep "list_rfcs|read_file"',
  ].join('\n'),
  options: {
    source: { type: 'string', value: 'S', multiple: true, description: 'only these sources (comma-separated or repeated): server, agent, ai_service, tool, …' },
    session: { type: 'string', value: 'ID', description: 'only events of this session' },
    level: { type: 'string', value: 'L', multiple: true, description: 'only these levels (comma-separated or repeated)' },
    'min-level': { type: 'string', value: 'L', description: 'this level and above (DEBUG, INFO, WARNING, ERROR, CRITICAL)' },
    agent: { type: 'string', value: 'ID', description: 'only events of this agent' },
    grep: { type: 'string', value: 'RE', description: 'only lines matching this regular expression (JavaScript syntax)' },
    url: { type: 'string', value: 'URL', default: DEFAULT_URL, description: `stream of a running \`debbie collect\` (default ${DEFAULT_URL})` },
    token: { type: 'string', value: 'T', description: 'bearer token of the collector (default env DEBBIE_TOKEN)' },
    'no-replay': { type: 'boolean', description: 'skip the buffered events; only what arrives from now on' },
    format: { type: 'string', value: 'text|jsonl', default: 'text', description: 'seed-format lines, or one JSON event per line (default text)' },
    count: { type: 'string', value: 'N', description: 'exit after N events have been printed' },
  },
  async run(values, _positionals, io) {
    const filter = parseFilter({
      source: strs(values.source), level: strs(values.level), minLevel: str(values['min-level']),
      session: str(values.session), agent: str(values.agent),
    });
    const grep = grepPattern(str(values.grep));
    const format = str(values.format) ?? 'text';
    if (format !== 'text' && format !== 'jsonl') throw new DebbieError('invalid_option', `unknown format "${format}"; expected text or jsonl`, '--format');
    const limit = count(str(values.count));
    const color = format === 'text' && shouldUseColor(io.env, (io.stdout as { isTTY?: boolean }).isTTY);
    const token = str(values.token) || io.env.DEBBIE_TOKEN || undefined;

    let reported = 0;
    const client = new StreamClient({
      url: str(values.url) ?? DEFAULT_URL,
      filter,
      replay: !values['no-replay'],
      ...(token ? { token } : {}),
      onDropped: (dropped) => {
        io.stderr.write(`debbie tail: ${dropped - reported} events dropped by the server (this terminal reads too slowly; ${dropped} in all)\n`);
        reported = dropped;
      },
      onInvalid: (error) => io.stderr.write(`debbie tail: skipped a message: ${error.message}\n`),
    });
    let interrupted = false;
    const stop = () => { interrupted = true; client.close(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let printed = 0;
    try {
      for await (const event of client) {
        const plain = formatDebbieLine(event);
        if (grep && !grep.test(plain)) continue;
        io.stdout.write(`${render(event, format, color, plain)}\n`);
        printed += 1;
        if (limit !== undefined && printed >= limit) break;
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    if (!interrupted && (limit === undefined || printed < limit)) {
      io.stderr.write(`debbie tail: the stream at ${client.url} ended (the collector stopped)\n`);
    }
    return 0;
  },
};

function render(event: DebbieEvent, format: string, color: boolean, plain: string): string {
  if (format === 'jsonl') return JSON.stringify(event);
  return color ? formatColoredLine(event, true) : plain;
}
