import { DebbieError } from '@debbie/model';
// The colour helper alone, not the stream server (WebSocket) behind the package's index.
import { shouldUseColor } from '@debbie/stream/color';
import type { Command } from '../Command.js';
import { formatFlag, outputFormat, READER_FLAGS } from '../flags.js';
import { openReader } from '../readerOptions.js';
import { showEvent } from '../showEvent.js';

const FORMATS = ['text', 'json'] as const;

export const showCommand: Command = {
  name: 'show',
  summary: 'Print one event in full, with its parents and its correlation group.',
  usage: 'EVENT_ID [--store PATH | --url URL] [--format text|json]',
  description: [
    'The id is the one after # on a `debbie events` line (or event_id in --format json).',
    '',
    'Example (EVENT_ID: an id after # on a `debbie events` line):',
    '  debbie show EVENT_ID',
  ].join('\n'),
  positionals: true,
  options: { ...READER_FLAGS, format: formatFlag(FORMATS, 'text') },
  async run(values, positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    if (positionals.length !== 1)
      throw new DebbieError('invalid_arguments', `name one event id${positionals.length ? ` (got ${positionals.length})` : ''}`, 'debbie show');
    const color = format === 'text' && shouldUseColor(io.env, (io.stdout as { isTTY?: boolean }).isTTY);
    const reader = await openReader(values, io);
    try {
      await showEvent(reader, positionals[0]!, format, io, { color, session: true }, 'debbie show');
      return 0;
    } finally {
      await reader.close();
    }
  },
};
