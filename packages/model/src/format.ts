import type { DebbieEvent } from './DebbieEvent.js';

/** "2025-05-29T10:15:32.123456Z" → "2025-05-29 10:15:32.123" (the seed's display form). */
export function displayTimestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * The seed's line format: `[ts] [source] [LEVEL] [component] message | details`.
 * Details are the event's details plus its ids, as compact JSON; omitted when empty.
 */
export function formatDebbieLine(event: DebbieEvent): string {
  const extra: Record<string, unknown> = { ...event.details };
  if (event.session_id) extra.session_id ??= event.session_id;
  if (event.agent_id) extra.agent_id ??= event.agent_id;
  if (event.duration_ms !== null) extra.duration_ms ??= Math.round(event.duration_ms * 1000) / 1000;
  const details = Object.keys(extra).length ? ` | ${JSON.stringify(extra)}` : '';
  return `[${displayTimestamp(event.timestamp)}] [${event.source}] [${event.level}] [${event.component}] ${event.event_summary}${details}`;
}
