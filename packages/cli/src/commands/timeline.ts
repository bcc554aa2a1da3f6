import { DebbieError } from '@debbie/model';
import { TimelineVisualizer } from '@debbie/report';
import type { Command } from '../Command.js';
import { openReader, READER_OPTIONS } from '../readerOptions.js';

function positiveInt(v: unknown, flag: string): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new DebbieError('invalid_option', `"${v}" is not a positive integer`, flag);
  return n;
}

/** `debbie timeline`: the session as one self-contained interactive HTML file. */
export const timelineCommand: Command = {
  name: 'timeline',
  summary: 'Write a session\'s interactive HTML timeline (one self-contained file).',
  usage: '--session ID [--out FILE] [--gap-ms MS] [--max-events N] [--store PATH | --url URL]',
  description: [
    'Swimlanes per source or per agent, nested spans, point events, Debbie\'s comments, stalls as',
    'highlighted gaps; zoom, pan and brush; filters by source, level and text; details on click;',
    'a click also highlights the event\'s correlation group. The page loads nothing from the network.',
    '',
    'Default output: debug_timelines/session_<id>.html in the working directory.',
  ].join('\n'),
  options: {
    session: { type: 'string', short: 's', value: 'ID', description: 'Session to draw (required).' },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'Output file (default debug_timelines/session_<id>.html).' },
    'gap-ms': { type: 'string', value: 'MS', description: 'Silence shown as a stall (default 30000).' },
    'max-events': { type: 'string', value: 'N', description: 'Most events embedded (default 200000); later ones are counted and left out.' },
    ...READER_OPTIONS,
  },
  async run(values, _positionals, io) {
    const session = typeof values.session === 'string' ? values.session : '';
    if (!session) throw new DebbieError('missing_option', 'is required (run `debbie sessions` to list session ids)', '--session');
    const gapThresholdMs = positiveInt(values['gap-ms'], '--gap-ms');
    const maxEvents = positiveInt(values['max-events'], '--max-events');
    const reader = await openReader(values, io);
    try {
      const viz = new TimelineVisualizer({
        reader, cwd: io.cwd, ...(gapThresholdMs ? { gapThresholdMs } : {}), ...(maxEvents ? { maxEvents } : {}),
      });
      const data = await viz.data(session);
      const path = await viz.write(data, typeof values.out === 'string' && values.out ? values.out : undefined);
      io.stdout.write(`${path}\n`);
      io.stderr.write(`debbie timeline: ${data.count} events, ${data.gaps.length} stall(s)` +
        `${data.dropped ? `, ${data.dropped} left out (over --max-events)` : ''}\n`);
      return 0;
    } finally {
      await reader.close();
    }
  },
};
