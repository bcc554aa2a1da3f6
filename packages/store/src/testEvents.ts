import { createEvent, type DebbieEvent, type DebbieEventInit } from '@debbie/model';

/** Test helper: an event at `base + offsetMs` with sensible defaults. */
export function eventAt(offsetMs: number, init: Partial<DebbieEventInit> = {}): DebbieEvent {
  const micros = Date.UTC(2025, 4, 29, 10, 15, 0) * 1000 + Math.round(offsetMs * 1000);
  const ms = Math.floor(micros / 1000);
  const iso = `${new Date(ms).toISOString().slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
  return createEvent({ source: 'agent', event_summary: `event at ${offsetMs}`, timestamp: iso, ...init });
}
