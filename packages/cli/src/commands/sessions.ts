import type { SessionSummary } from '@debbie/model';
import type { Command } from '../Command.js';
import { formatFlag, outputFormat, READER_FLAGS } from '../flags.js';
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

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'List the recorded sessions: time, duration, events, errors, agents and sources.',
  usage: '[--store PATH | --url URL] [--format text|json]',
  description: [
    'Examples:',
    '  debbie sessions',
    '  debbie sessions --store runs/today.duckdb --format json',
    '  debbie sessions --url http://127.0.0.1:4318',
  ].join('\n'),
  options: { ...READER_FLAGS, format: formatFlag(FORMATS, 'text') },
  async run(values, _positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    const reader = await openReader(values, io);
    try {
      const sessions = await reader.listSessions();
      if (format === 'json') {
        await writeOut(io, `${JSON.stringify(sessions, null, 2)}\n`);
      } else if (sessions.length === 0) {
        io.stderr.write('No sessions recorded yet. Run `debbie demo` to record some.\n');
      } else {
        await writeOut(io, table(['SESSION', 'STARTED (UTC)', 'DURATION', 'EVENTS', 'ERRORS', 'AGENTS', 'SOURCES'], sessions.map(sessionRow)));
      }
      return 0;
    } finally {
      await reader.close();
    }
  },
};
