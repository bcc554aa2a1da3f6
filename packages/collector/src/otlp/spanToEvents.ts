import { eventFromLogParts, eventsFromSpanParts, type DebbieEvent, type LogParts, type SpanParts } from '@debbie/model';

/**
 * A span → its DebbieEvent and one point event per span event (see eventsFromSpanParts).
 * Foreign conventions (GenAI, OpenInference, Vercel AI SDK, …) are understood later, at the
 * pipeline's entrance, by convertForeignEvent: the same for every way in.
 */
export function spanToEvents(parts: SpanParts, out: DebbieEvent[]): void {
  eventsFromSpanParts(parts, out);
}

/** A log record → its DebbieEvent; `eventName` is the OTLP LogRecord event_name. */
export function logToEvent(parts: LogParts, eventName?: string): DebbieEvent {
  return eventFromLogParts(eventName ? { ...parts, eventName } : parts);
}
