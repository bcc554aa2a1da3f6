import { DebbieError, formatDebbieLine, parseFilter, type DebbieEvent } from '@debbie/model';
import { StreamClient, formatColoredLine, shouldUseColor } from '@debbie/stream';
import type { Command } from '../Command.js';
import { MIN_SESSION_PREFIX } from '../resolveSession.js';
import { collectorToken, FILTER_FLAGS, formatFlag, outputFormat, SESSION_FLAG, str, strs, TOKEN_FLAG } from '../flags.js';

const DEFAULT_URL = 'ws://127.0.0.1:9999';

const FORMATS = ['text', 'jsonl'] as const;

function grepPattern(text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (error) {
    throw new DebbieError(
      'invalid_grep',
      `"${text}" is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`,
      '--grep',
    );
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
    'buffered events that match (unless --no-replay), then follows live until Ctrl-C. The filter runs',
    'on the server; --grep (a regular expression on the printed line) runs here.',
    'Colors by level and source on a terminal; NO_COLOR turns them off, FORCE_COLOR forces them.',
    '',
    'Example (with `debbie collect` running): debbie tail --source tool --grep "list_rfcs|read_file"',
  ].join('\n'),
  options: {
    source: FILTER_FLAGS.source!,
    session: { ...SESSION_FLAG, description: `only events of this session: its id or a unique prefix of it (at least ${MIN_SESSION_PREFIX} characters)` },
    level: FILTER_FLAGS.level!,
    'min-level': FILTER_FLAGS['min-level']!,
    agent: FILTER_FLAGS.agent!,
    grep: { type: 'string', value: 'RE', description: 'only lines matching this regular expression (JavaScript syntax)' },
    url: { type: 'string', value: 'URL', default: DEFAULT_URL, description: `stream of a running \`debbie collect\` (default ${DEFAULT_URL})` },
    token: TOKEN_FLAG,
    'no-replay': { type: 'boolean', description: 'skip the buffered events; only what arrives from now on' },
    format: formatFlag(FORMATS, 'text', 'output format (text: seed-format lines; jsonl: one JSON event per line)'),
    count: { type: 'string', value: 'N', description: 'exit after N events have been printed' },
  },
  async run(values, _positionals, io) {
    // The session is matched here, by prefix: a live session may not be stored anywhere yet, so
    // there is nothing to resolve a prefix against before its events arrive.
    const session = sessionPrefix(str(values.session));
    const filter = parseFilter({
      source: strs(values.source),
      level: strs(values.level),
      minLevel: str(values['min-level']),
      agent: str(values.agent),
    });
    const grep = grepPattern(str(values.grep));
    const format = outputFormat(values, FORMATS, 'text');
    const limit = count(str(values.count));
    const color = format === 'text' && shouldUseColor(io.env, (io.stdout as { isTTY?: boolean }).isTTY);
    const token = collectorToken(values, io);

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
    const stop = () => {
      interrupted = true;
      client.close();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let printed = 0;
    try {
      for await (const event of client) {
        if (session && !session.matches(event, io.stderr)) continue;
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

/** Matches events whose session starts with what was typed; says once when a second session matches too. */
function sessionPrefix(typed: string | undefined): { matches: (event: DebbieEvent, stderr: NodeJS.WritableStream) => boolean } | undefined {
  if (typed === undefined) return undefined;
  if (typed.length < MIN_SESSION_PREFIX) {
    throw new DebbieError(
      'invalid_option',
      `"${typed}" is too short to name a session: give its id or at least ${MIN_SESSION_PREFIX} characters of it`,
      '--session',
    );
  }
  const seen = new Set<string>();
  return {
    matches(event, stderr) {
      const id = event.session_id;
      if (id === null || !id.startsWith(typed)) return false;
      if (!seen.has(id) && seen.size < 100) {
        seen.add(id);
        if (seen.size > 1)
          stderr.write(`debbie tail: "${typed}" is the start of several sessions (${[...seen].join(', ')}); type more of the id to follow one\n`);
      }
      return true;
    },
  };
}

function render(event: DebbieEvent, format: string, color: boolean, plain: string): string {
  if (format === 'jsonl') return JSON.stringify(event);
  return color ? formatColoredLine(event, true) : plain;
}
