import { DebbieError, epochMicros, isoFromEpochMicros, type EventReader, type SessionSummary } from '@debbie/model';
import { LABEL_LOOKAHEAD, labelFieldsOf, labelFromFields, type SessionLabel } from '@debbie/store';
import type { Command } from '../Command.js';
import { formatFlag, outputFormat, READER_FLAGS, str, wholeNumber } from '../flags.js';
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
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

const LABEL_WIDTH = 40;
const SORTS = ['newest', 'oldest', 'duration', 'events', 'errors', 'label'] as const;
type Sort = (typeof SORTS)[number];

/** `inferred`: no event named a session, so Debbie made its trace (or service) one (docs/conventions.md). */
type LabelledSession = SessionSummary & { label: string; inferred?: true };

/** A reader that labels many sessions in one query (the stores). */
interface SessionLabels {
  sessionLabels(sessionIds: readonly string[], options?: { since?: string }): Promise<Map<string, SessionLabel>>;
}
const hasSessionLabels = (reader: object): reader is SessionLabels => typeof (reader as Partial<SessionLabels>).sessionLabels === 'function';

/** A session with its label, marked `(inferred)` when none of its first events named it. */
function labelled(s: SessionSummary, { label, inferred }: SessionLabel): LabelledSession {
  return inferred ? { ...s, label: `(inferred) ${label}`.trim(), inferred: true } : { ...s, label };
}

/** The label of each listed session: one query for the page from a store, else one small query per session. */
async function withLabels(reader: EventReader, sessions: SessionSummary[]): Promise<LabelledSession[]> {
  const none: SessionLabel = { label: '', inferred: false };
  if (hasSessionLabels(reader)) {
    // The page's earliest start (ISO strings compare in time order).
    let since = '';
    for (const s of sessions) if (since === '' || s.first_timestamp < since) since = s.first_timestamp;
    const labels = await reader.sessionLabels(
      sessions.map((s) => s.session_id),
      since ? { since } : {},
    );
    return sessions.map((s) => labelled(s, labels.get(s.session_id) ?? none));
  }
  const out: LabelledSession[] = [];
  for (const s of sessions) {
    // Bounded to the session's own time range: a store reads only the blocks of that range.
    const until = isoFromEpochMicros(epochMicros(s.last_timestamp) + 1);
    const first = await reader.queryEvents({ sessionId: s.session_id, since: s.first_timestamp, until }, { limit: LABEL_LOOKAHEAD });
    out.push(labelled(s, first.length ? labelFromFields(labelFieldsOf(first)) : none));
  }
  return out;
}

/** Orders the page shown (the page itself is always the newest sessions, after --offset). */
function sortSessions(sessions: LabelledSession[], sort: Sort): LabelledSession[] {
  // ISO timestamps and ids compare by code unit (localeCompare's first call costs ~10 ms of start-up).
  const by: Record<Sort, (a: LabelledSession, b: LabelledSession) => number> = {
    newest: (a, b) => codeUnitOrder(b.first_timestamp, a.first_timestamp),
    oldest: (a, b) => codeUnitOrder(a.first_timestamp, b.first_timestamp),
    duration: (a, b) => b.duration_ms - a.duration_ms,
    events: (a, b) => b.event_count - a.event_count,
    errors: (a, b) => b.error_count - a.error_count,
    label: (a, b) => a.label.localeCompare(b.label),
  };
  return [...sessions].sort((a, b) => by[sort](a, b) || codeUnitOrder(a.session_id, b.session_id));
}

function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function clip(text: string, width: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

function sessionRow(s: LabelledSession): string[] {
  return [
    s.session_id,
    clip(s.label, LABEL_WIDTH) || '-',
    `${s.first_timestamp.slice(0, 10)} ${s.first_timestamp.slice(11, 19)}`,
    formatDuration(s.duration_ms),
    String(s.event_count),
    String(s.error_count),
    s.agents.join(',') || '-',
    Object.entries(s.events_per_source)
      .map(([src, n]) => `${src}:${n}`)
      .join(' '),
  ];
}

const FORMATS = ['text', 'json'] as const;
/** Sessions per page unless --limit says otherwise. */
const DEFAULT_LIMIT = 50;

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'List the recorded sessions: time, duration, events, errors, agents and sources.',
  usage: '[--sort newest|oldest|duration|events|errors|label] [--store PATH | --url URL] [--limit 50] [--offset N] [--format text|json]',
  description: [
    'LABEL tells the sessions apart: the scenario, else the first user message, else the service.',
    '',
    'Examples (on the store `debbie demo` writes):',
    '  debbie sessions',
    '  debbie sessions --sort errors',
    '  debbie sessions --sort duration --format json',
    '  debbie sessions --limit 5 --offset 5        # the next 5, newest first',
  ].join('\n'),
  options: {
    sort: {
      type: 'string',
      value: SORTS.join('|'),
      description: 'order of the page shown: newest (default), oldest, duration, events or errors (largest first), label',
    },
    ...READER_FLAGS,
    limit: { type: 'string', value: 'N', description: `sessions per page, newest first (default ${DEFAULT_LIMIT}; 0 for all)` },
    offset: { type: 'string', value: 'N', description: 'skip this many of the newest sessions (default 0)' },
    format: formatFlag(FORMATS, 'text'),
  },
  async run(values, _positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    const limit = wholeNumber(values, 'limit') ?? DEFAULT_LIMIT;
    const offset = wholeNumber(values, 'offset') ?? 0;
    const sort = (str(values.sort) ?? 'newest') as Sort;
    if (!(SORTS as readonly string[]).includes(sort))
      throw new DebbieError('invalid_option', `unknown order "${sort}"; expected ${SORTS.join(', ')}`, '--sort');
    const reader = await openReader(values, io);
    try {
      // One more than the page: tells whether older sessions remain.
      let page = await reader.listSessions({ order: 'desc', offset, ...(limit > 0 ? { limit: limit + 1 } : {}) });
      const more = limit > 0 && page.length > limit;
      if (more) page = page.slice(0, limit);
      const sessions = sortSessions(await withLabels(reader, page), sort);
      if (format === 'json') {
        await writeOut(io, `${JSON.stringify(sessions, null, 2)}\n`);
      } else if (sessions.length === 0) {
        io.stderr.write('No sessions recorded yet. Run `debbie demo` to record some.\n');
      } else {
        await writeOut(io, table(['SESSION', 'LABEL', 'STARTED (UTC)', 'DURATION', 'EVENTS', 'ERRORS', 'AGENTS', 'SOURCES'], sessions.map(sessionRow)));
      }
      if (more) io.stderr.write(`Newest ${offset + 1}–${offset + limit} shown; older ones with --offset ${offset + limit} (or --limit 0 for all).\n`);
      return 0;
    } finally {
      await reader.close();
    }
  },
};
