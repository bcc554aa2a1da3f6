import { TimelineVisualizer } from '@debbie/report';
import type { Command } from '../Command.js';
import { READER_FLAGS, requireSession, resolvePath, SESSION_FLAG, str, wholeNumber } from '../flags.js';
import { openReader } from '../readerOptions.js';
import { resolveSession } from '../resolveSession.js';

/** `debbie timeline`: the session as one self-contained interactive HTML file. */
export const timelineCommand: Command = {
  name: 'timeline',
  summary: "Write a session's interactive HTML timeline (one self-contained file).",
  usage: '--session ID [--out FILE] [--gap-ms MS] [--max-events N] [--store PATH | --url URL]',
  description: [
    "Swimlanes per source or per agent, nested spans, point events, Debbie's comments, stalls as",
    'highlighted gaps; zoom, pan and brush; filters by source, level and text; details on click;',
    "a click also highlights the event's correlation group. The page loads nothing from the network.",
    '',
    'Default output: debug_timelines/session_<id>.html in the working directory.',
    '',
    'Examples (on the store `debbie demo` writes):',
    '  debbie timeline --session b7d9a88c',
    '  debbie timeline --session 94988082 --out timelines/errors.html --gap-ms 5000',
  ].join('\n'),
  options: {
    session: { ...SESSION_FLAG, description: `${SESSION_FLAG.description} (required)` },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'Output file (default debug_timelines/session_<id>.html).' },
    'gap-ms': { type: 'string', value: 'MS', description: 'Silence shown as a stall (default 30000).' },
    'max-events': { type: 'string', value: 'N', description: 'Most events embedded (default 200000); later ones are counted and left out.' },
    ...READER_FLAGS,
  },
  async run(values, _positionals, io) {
    const session = requireSession(values);
    const gapThresholdMs = wholeNumber(values, 'gap-ms', 1);
    const maxEvents = wholeNumber(values, 'max-events', 1);
    const out = str(values.out);
    const reader = await openReader(values, io);
    try {
      const viz = new TimelineVisualizer({
        reader,
        cwd: io.cwd,
        ...(gapThresholdMs ? { gapThresholdMs } : {}),
        ...(maxEvents ? { maxEvents } : {}),
      });
      const data = await viz.data((await resolveSession(reader, session)).session_id);
      const path = await viz.write(data, out ? resolvePath(io, out) : undefined);
      io.stdout.write(`${path}\n`);
      io.stderr.write(
        `debbie timeline: ${data.count} events, ${data.gaps.length} stall(s)` + `${data.dropped ? `, ${data.dropped} left out (over --max-events)` : ''}\n`,
      );
      return 0;
    } finally {
      await reader.close();
    }
  },
};
