import { formatDebbieLine } from '@debbie/model';
import type { Command } from '../Command.js';
import { FILTER_FLAGS, filterFromValues, formatFlag, outputFormat, READER_FLAGS, SESSION_FLAG, wholeNumber } from '../flags.js';
import { openReader, writeOut } from '../readerOptions.js';

const PAGE = 1000;
/** Events shown when searching every session without --limit. */
const CROSS_SESSION_LIMIT = 100;
const FORMATS = ['text', 'json'] as const;

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Print the events of a session, a correlation group, or of all sessions, filtered, in time order.',
  usage: '[--session ID] [filters] [--store PATH | --url URL] [--format text|json] [--limit N]',
  description: [
    'Text output is one line per event in the seed format:',
    '  [ts] [source] [LEVEL] [component] message | details',
    'JSON output is one array of DebbieEvents (snake_case fields).',
    `Without --session or --correlation, searches every session (at most ${CROSS_SESSION_LIMIT} events unless --limit says otherwise).`,
    '',
    'Examples:',
    '  debbie events --session 3f2c… --source tool,ai_service --min-level WARNING',
    '  debbie events --correlation turn-2 --format json',
    '  debbie events --source ai_service --min-level ERROR --limit 20',
    '  debbie events --session 3f2c… --grep "continuation" --since 2025-05-29T10:15:00Z',
  ].join('\n'),
  options: {
    session: { ...SESSION_FLAG, description: `${SESSION_FLAG.description}; without it (and --correlation), every session` },
    ...FILTER_FLAGS,
    limit: { type: 'string', value: 'N', description: 'print at most N events (default all)' },
    ...READER_FLAGS,
    format: formatFlag(FORMATS, 'text'),
  },
  async run(values, _positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    const filter = filterFromValues(values);
    const acrossSessions = !filter.sessionId && !filter.correlationId;
    const limit = wholeNumber(values, 'limit') ?? (acrossSessions ? CROSS_SESSION_LIMIT : Number.POSITIVE_INFINITY);
    const reader = await openReader(values, io);
    // The reader of our output may go away (`| head`): stop reading then.
    let outputGone = false;
    const onOutputError = () => {
      outputGone = true;
    };
    io.stdout.on('error', onOutputError);
    try {
      let count = 0;
      if (format === 'json') await writeOut(io, '[');
      // Page by page, so a long session never sits in memory whole.
      outer: for await (const page of reader.streamEvents(filter, { batchSize: PAGE })) {
        const lines: string[] = [];
        for (const event of page) {
          if (count >= limit) break;
          lines.push(format === 'json' ? `${count === 0 ? '\n' : ',\n'}${JSON.stringify(event)}` : `${formatDebbieLine(event)}\n`);
          count += 1;
        }
        if (lines.length) await writeOut(io, lines.join(''));
        if (count >= limit || outputGone || io.stdout.destroyed) break outer;
      }
      if (format === 'json') await writeOut(io, count ? '\n]\n' : ']\n');
      if (acrossSessions && count >= limit && values.limit === undefined) {
        io.stderr.write(`Showing the first ${limit} events of all sessions; narrow with filters or --session, or raise --limit.\n`);
      }
      if (count === 0) {
        const what = filter.sessionId ? `session "${filter.sessionId}"` : filter.correlationId ? `correlation "${filter.correlationId}"` : 'any session';
        io.stderr.write(`No events of ${what} match. List sessions with \`debbie sessions\`.\n`);
      }
      return 0;
    } finally {
      io.stdout.off('error', onOutputError);
      await reader.close();
    }
  },
};
