import type { Attributes } from '@opentelemetry/api';
import { createEvent, eventFromLogParts, eventFromSpanParts, isoFromEpochMicros, type DebbieEvent, type LogParts, type SpanParts } from '@debbie/model';
import { finishForeignEvent, normalizeGenAiAttributes } from '../genai/normalizeGenAiAttributes.js';

/**
 * A span → its DebbieEvent, plus one point event per span event other than `exception`
 * (exceptions become the span's stack trace and error level), so nothing the sender said is lost.
 */
export function spanToEvents(parts: SpanParts, out: DebbieEvent[]): void {
  const attributes = normalizeGenAiAttributes(parts.attributes);
  const event = finishForeignEvent(eventFromSpanParts(attributes === parts.attributes ? parts : { ...parts, attributes }));
  out.push(event);
  for (const ev of parts.events ?? []) {
    if (ev.name === 'exception') continue;
    out.push(createEvent({
      timestamp: isoFromEpochMicros(ev.timeMicros),
      source: event.source,
      component: event.component,
      action: ev.name,
      event_summary: ev.name,
      details: { ...(ev.attributes as Record<string, unknown>) },
      session_id: event.session_id,
      agent_id: event.agent_id,
      correlation_id: event.correlation_id,
      parent_id: event.event_id,
      trace_id: event.trace_id,
      span_id: event.span_id,
      service_name: event.service_name,
      kind: 'log',
    }));
  }
}

/** A log record → its DebbieEvent, with GenAI/OpenInference attributes understood. */
export function logToEvent(parts: LogParts, eventName?: string): DebbieEvent {
  const attributes = normalizeGenAiAttributes(parts.attributes);
  const event = eventFromLogParts(attributes === parts.attributes ? parts : { ...parts, attributes });
  if (eventName && !event.action) event.action = eventName;
  return finishForeignEvent(event, Boolean(parts.severityNumber) || Boolean(parts.severityText));
}

export type { Attributes };
