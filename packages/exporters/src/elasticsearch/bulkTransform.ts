import type { DebbieEvent } from '@debbie/model';
import { eventToEcs, type EcsOptions } from './ecsTransform.js';

/**
 * The two NDJSON lines of one `_bulk` item: a `create` action (the only op data streams accept)
 * with the event id as `_id`, so a retried item is recognised as a duplicate (409) instead of
 * being indexed twice, then the ECS document. Each line ends in "\n", as `_bulk` requires.
 */
export function bulkCreateLines(event: DebbieEvent, index: string, options: EcsOptions = {}): string {
  return `${JSON.stringify({ create: { _index: index, _id: event.event_id } })}\n${JSON.stringify(eventToEcs(event, options))}\n`;
}
