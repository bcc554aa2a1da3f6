import { createHash } from 'node:crypto';
import type { DebbieEvent } from '@debbie/model';

/**
 * Gives an event made while ingesting (a commentary comment on the ingested events) an id from its
 * content: session, time, source, action, summary and insight. Ingesting the same file again makes
 * the same comment at the same event time, so it gets the same id and a store that keeps one event
 * per id keeps it once. Returns the event (changed in place).
 */
export function withContentId(event: DebbieEvent): DebbieEvent {
  const insight = event.details.insight_id;
  event.event_id = createHash('sha256')
    .update(
      [event.session_id ?? '', event.timestamp, event.source, event.action, event.event_summary, typeof insight === 'string' ? insight : ''].join('\u0000'),
    )
    .digest('hex')
    .slice(0, 24);
  return event;
}
