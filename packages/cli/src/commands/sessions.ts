import type { SessionSummary } from '@debbie/model';
import type { Command } from '../Command.js';
import { formatFlag, outputFormat, READER_FLAGS, wholeNumber } from '../flags.js';
import { openReader, writeOut } from '../readerOptions.js';

/** 45.2s, 2m 03s, 1h 04m: short enough for a table column. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Left-aligned columns separated by two spaces. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function sessionRow(s: SessionSummary): string[] {
  return [
    s.session_id,
    `${s.first_timestamp.slice(0, 10)} ${s.first_timestamp.slice(11, 19)}`,
    formatDuration(s.duration_ms),
    String(s.event_count),
    String(s.error_count),
    s.agents.join(',') || '-',
    Object.entries(s.events_per_source).map(([src, n]) => `${src}:${n}`).join(' '),
  ];
}

const FORMATS = ['text', 'json'] as const;
/** Sessions per page unless --limit says otherwise. */
const DEFAULT_LIMIT = 50;

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'List the recorded sessions: time, duration, events, errors, agents and sources.',
  usage: '[--store PATH | --url URL] [--limit 50] [--offset N] [--format text|json]',
  description: [
    'Examples:',
    '  debbie sessions',
    '  debbie sessions --store runs/today.duckdb --format json',
    '  debbie sessions --limit 20 --offset 20        # the next 20, newest first',
    '  debbie sessions --url http://127.0.0.1:4318',
  ].join('\n'),
  options: {
    ...READER_FLAGS,
    limit: { type: 'string', value: 'N', description: `sessions per page, newest first (default ${DEFAULT_LIMIT}; 0 for all)` },
    offset: { type: 'string', value: 'N', description: 'skip this many of the newest sessions (default 0)' },
    format: formatFlag(FORMATS, 'text'),
  },
  async run(values, _positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    const limit = wholeNumber(values, 'limit') ?? DEFAULT_LIMIT;
    const offset = wholeNumber(values, 'offset') ?? 0;
    const reader = await openReader(values, io);
    try {
      // One more than the page: tells whether older sessions remain.
      let sessions = await reader.listSessions({ order: 'desc', offset, ...(limit > 0 ? { limit: limit + 1 } : {}) });
      const more = limit > 0 && sessions.length > limit;
      if (more) sessions = sessions.slice(0, limit);
      if (format === 'json') {
        await writeOut(io, `${JSON.stringify(sessions, null, 2)}\n`);
      } else if (sessions.length === 0) {
        io.stderr.write('No sessions recorded yet. Run `debbie demo` to record some.\n');
      } else {
        await writeOut(io, table(['SESSION', 'STARTED (UTC)', 'DURATION', 'EVENTS', 'ERRORS', 'AGENTS', 'SOURCES'], sessions.map(sessionRow)));
      }
      if (more) io.stderr.write(`Newest ${offset + 1}–${offset + limit} shown; older ones with --offset ${offset + limit} (or --limit 0 for all).\n`);
      return 0;
    } finally {
      await reader.close();
    }
  },
};
