import { DebbieError, type DebbieEvent, type EventReader } from '@debbie/model';
import type { CommandIO } from './Command.js';
import { eventBlock, eventLine, type LineOptions } from './eventLine.js';
import { writeOut } from './readerOptions.js';

/** Events of the session looked through for the parent chain; beyond this the chain may stop short (said). */
const MAX_SCANNED = 200_000;
/** Lines of the correlation group printed; the rest are counted. */
const MAX_GROUP_LINES = 200;

/** The one event an id names. */
export async function findEvent(reader: EventReader, typed: string, where: string): Promise<DebbieEvent> {
  const [exact] = await reader.queryEvents({ eventId: typed }, { limit: 1 });
  if (exact) return exact;
  throw new DebbieError('event_not_found', `no event "${typed}" (ids are shown after # on \`debbie events\` lines, or as event_id with --format json)`, where);
}

/** Its ancestors, nearest first: parent_id names an event id or a span id of the same session. */
async function parentsOf(reader: EventReader, event: DebbieEvent): Promise<{ parents: DebbieEvent[]; truncated: boolean }> {
  if (!event.parent_id && !event.parent_span_id) return { parents: [], truncated: false };
  const byId = new Map<string, DebbieEvent>();
  let scanned = 0;
  let truncated = false;
  const filter = event.session_id ? { sessionId: event.session_id } : {};
  for await (const page of reader.streamEvents(filter, { batchSize: 1000 })) {
    for (const e of page) {
      if (e.kind === 'span' || e.span_id) {
        if (e.span_id && !byId.has(e.span_id)) byId.set(e.span_id, e);
      }
      byId.set(e.event_id, e);
    }
    scanned += page.length;
    if (scanned >= MAX_SCANNED) {
      truncated = true;
      break;
    }
  }
  const parents: DebbieEvent[] = [];
  const seen = new Set([event.event_id]);
  let current = event;
  for (;;) {
    const next = (current.parent_id && byId.get(current.parent_id)) || (current.parent_span_id && byId.get(current.parent_span_id)) || undefined;
    if (!next || seen.has(next.event_id)) break;
    // A log record's parent_id is the span it happened in: a span's own id resolves to itself.
    if (next.event_id === current.event_id) break;
    parents.push(next);
    seen.add(next.event_id);
    current = next;
  }
  return { parents, truncated };
}

/** `debbie show ID` / `debbie events --id ID`: one event in full, its parents and its correlation group. */
export async function showEvent(
  reader: EventReader,
  typed: string,
  format: 'text' | 'json',
  io: CommandIO,
  line: Omit<LineOptions, 'verbose'>,
  where = '--id',
): Promise<void> {
  const event = await findEvent(reader, typed, where);
  const { parents, truncated } = await parentsOf(reader, event);
  const group = event.correlation_id ? await reader.correlationGroup(event.correlation_id) : [];
  if (format === 'json') {
    await writeOut(io, `${JSON.stringify({ event, parents, correlation_group: group }, null, 2)}\n`);
    return;
  }
  const out = [eventBlock(event)];
  out.push(
    parents.length ? `\nparents (nearest first):\n${parents.map((p) => `  ${eventLine(p, { ...line, verbose: false })}`).join('\n')}\n` : '\nparents: none\n',
  );
  if (truncated) out.push(`  (looked through the first ${MAX_SCANNED} events of the session only)\n`);
  if (event.correlation_id) {
    const shown = group.slice(0, MAX_GROUP_LINES).map((e) => `${e.event_id === event.event_id ? '→ ' : '  '}${eventLine(e, { ...line, verbose: false })}`);
    out.push(`\ncorrelation group ${event.correlation_id} (${group.length} events):\n${shown.join('\n')}\n`);
    if (group.length > MAX_GROUP_LINES) out.push(`  … ${group.length - MAX_GROUP_LINES} more: debbie events --correlation ${event.correlation_id}\n`);
  }
  await writeOut(io, out.join(''));
}
