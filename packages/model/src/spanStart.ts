import type { DebbieEvent } from './DebbieEvent.js';
import type { EventSink } from './EventSink.js';

/**
 * The tag that marks a span-start ("pending span") event: a span that has started and not yet
 * ended, reported so a live view can show a hung call while it hangs (as Logfire's pending spans).
 * It carries the span's ids and no duration; the span's own event follows when it ends. Stores,
 * reports and the commentary never receive it (see `acceptsSpanStarts`), so nothing counts a span twice.
 */
export const SPAN_START_TAG = 'debbie.span_start';

/** True for a span-start event (see SPAN_START_TAG). */
export function isSpanStart(event: DebbieEvent): boolean {
  const tags = event.tags;
  return tags.length > 0 && tags.includes(SPAN_START_TAG);
}

/** True when the sink asked for span-start events (live views and forwarders do; stores do not). */
export function sinkAcceptsSpanStarts(sink: EventSink): boolean {
  return sink.acceptsSpanStarts === true;
}

/** The span-start event of a span's (start-time) event: same ids, no duration, marked. */
export function spanStartEvent(span: DebbieEvent): DebbieEvent {
  return {
    ...span,
    event_id: `${span.event_id}.start`,
    duration_ms: null,
    tags: [...span.tags, SPAN_START_TAG],
  };
}
