import { DebbieError, type DebbieEvent, type EventFilter, type EventReader } from '@debbie/model';
// The colour helper alone, not the stream server (WebSocket) behind the package's index.
import { shouldUseColor } from '@debbie/stream/color';
import type { Command } from '../Command.js';
import { eventLine } from '../eventLine.js';
import { FILTER_FLAGS, filterFromValues, formatFlag, outputFormat, READER_FLAGS, SESSION_FLAG, str, wholeNumber } from '../flags.js';
import { openReader, writeOut } from '../readerOptions.js';
import { resolveSession } from '../resolveSession.js';
import { showEvent } from '../showEvent.js';
import { startProgress } from '../progress.js';

const PAGE = 1000;
/** Events shown when searching every session without --limit. */
const CROSS_SESSION_LIMIT = 100;
const FORMATS = ['text', 'json'] as const;

/**
 * The pages of the events the filter selects, in time order. A --session that is a stored
 * session's whole id needs no look-up first: its first page proves it (one scan, not two). One
 * that finds nothing is resolved then (resolveSession: the one session a prefix names, or an
 * error naming what was typed); an exact id whose events the other filters all leave out ends there.
 */
async function* eventPages(reader: EventReader, filter: EventFilter): AsyncGenerator<DebbieEvent[]> {
  const typed = filter.sessionId;
  let found = false;
  for await (const page of reader.streamEvents(filter, { batchSize: PAGE })) {
    found ||= page.length > 0;
    yield page;
  }
  if (typed === undefined || found) return;
  const session = (await resolveSession(reader, typed)).session_id;
  if (session !== typed) yield* reader.streamEvents({ ...filter, sessionId: session }, { batchSize: PAGE });
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Print the events of a session, a correlation group, or of all sessions, filtered, in time order.',
  usage: '[--session ID | --correlation ID | --id EVENT_ID] [filters] [--verbose] [--store PATH | --url URL] [--format text|json] [--limit N]',
  description: [
    'Text output is one short line per event:',
    '  [ts] [source] [LEVEL] [component] message (duration) {agent} #event-id',
    "--verbose adds each event's details (and stack trace). Colour on a terminal; NO_COLOR turns it off.",
    'JSON output is one array of DebbieEvents (snake_case fields).',
    `Without --session or --correlation, searches every session (at most ${CROSS_SESSION_LIMIT} events unless --limit says otherwise).`,
    '--id prints one event in full with its parents and its correlation group (as `debbie show`).',
    '',
    'Examples (on the store `debbie demo` writes):',
    '  debbie events --session b7d9a88c --source tool,debbie_comment --min-level WARNING',
    '  debbie events --correlation 94988082-turn-1 --format json',
    '  debbie events --source tool --min-level ERROR --limit 20',
    '  debbie events --session b7d9a88c --grep "continuation" --since 2025-06-02T21:05:30Z',
    '  debbie events --session 94988082 --min-level ERROR --verbose',
  ].join('\n'),
  options: {
    session: { ...SESSION_FLAG, description: `${SESSION_FLAG.description}; without it (and --correlation), every session` },
    ...FILTER_FLAGS,
    id: { type: 'string', value: 'EVENT_ID', description: 'print this one event in full, with its parents and correlation group' },
    verbose: { type: 'boolean', short: 'v', description: "add each event's details to its line" },
    limit: { type: 'string', value: 'N', description: 'print at most N events (default all)' },
    ...READER_FLAGS,
    format: formatFlag(FORMATS, 'text'),
  },
  async run(values, _positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    const filter = filterFromValues(values);
    const eventId = str(values.id);
    const acrossSessions = !filter.sessionId && !filter.correlationId;
    const limit = wholeNumber(values, 'limit') ?? (acrossSessions ? CROSS_SESSION_LIMIT : Number.POSITIVE_INFINITY);
    const color = format === 'text' && shouldUseColor(io.env, (io.stdout as { isTTY?: boolean }).isTTY);
    const line = { verbose: values.verbose === true, color, session: !filter.sessionId };
    const reader = await openReader(values, io);
    if (eventId) {
      try {
        await showEvent(reader, eventId, format, io, line);
        return 0;
      } finally {
        await reader.close();
      }
    }
    // The reader of our output may go away (`| head`): stop reading then.
    let outputGone = false;
    const onOutputError = () => {
      outputGone = true;
    };
    io.stdout.on('error', onOutputError);
    let count = 0;
    const progress = startProgress(io, 'events', () => `${count} events printed`);
    try {
      // Page by page, so a long session never sits in memory whole.
      for await (const page of eventPages(reader, filter)) {
        const lines: string[] = [];
        for (const event of page) {
          if (count >= limit) break;
          lines.push(format === 'json' ? `${count === 0 ? '[\n' : ',\n'}${JSON.stringify(event)}` : `${eventLine(event, line)}\n`);
          count += 1;
        }
        if (lines.length) await writeOut(io, lines.join(''));
        if (count >= limit || outputGone || io.stdout.destroyed) break;
      }
      if (format === 'json') await writeOut(io, count ? '\n]\n' : '[]\n');
      if (acrossSessions && count >= limit && values.limit === undefined) {
        io.stderr.write(`Showing the first ${limit} events of all sessions; narrow with filters or --session, or raise --limit.\n`);
      }
      if (count === 0 && !filter.sessionId && filter.correlationId && (await reader.countEvents({ correlationId: filter.correlationId })) === 0) {
        throw new DebbieError(
          'event_not_found',
          `no events carry correlation id "${filter.correlationId}"; \`debbie events --session ID\` shows the ids a session uses`,
          '--correlation',
        );
      }
      if (count === 0) io.stderr.write('No events match the filters.\n');
      return 0;
    } finally {
      progress.stop();
      io.stdout.off('error', onOutputError);
      await reader.close();
    }
  },
};
