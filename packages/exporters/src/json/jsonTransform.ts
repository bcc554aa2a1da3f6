import type { DebbieEvent } from '@debbie/model';
import { orderedEvent } from '../columns.js';

/** One event as compact JSON with the export columns in their stable order (one JSONL line, without the newline). */
export function eventToJson(event: DebbieEvent): string {
  return JSON.stringify(orderedEvent(event));
}

/** A batch as JSONL text: one event per line, each line ending in "\n". */
export function eventsToJsonl(events: readonly DebbieEvent[]): string {
  let out = '';
  for (const event of events) out += `${eventToJson(event)}\n`;
  return out;
}
