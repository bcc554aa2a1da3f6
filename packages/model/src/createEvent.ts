import type { DebbieEvent } from './DebbieEvent.js';
import { newEventId } from './ids.js';
import { isoFromEpochMillis } from './time.js';

/** The fields a caller must give; everything else has a neutral default. */
export type DebbieEventInit = Partial<DebbieEvent> & Pick<DebbieEvent, 'source' | 'event_summary'>;

/** Builds a complete DebbieEvent from the fields given, filling the rest with neutral defaults. */
export function createEvent(init: DebbieEventInit): DebbieEvent {
  return {
    timestamp: init.timestamp ?? isoFromEpochMillis(Date.now()),
    level: init.level ?? 'INFO',
    component: init.component ?? init.source,
    action: init.action ?? '',
    event_summary: init.event_summary,
    event_id: init.event_id ?? newEventId(),
    duration_ms: init.duration_ms ?? null,
    details: init.details ?? {},
    state_before: init.state_before ?? null,
    state_after: init.state_after ?? null,
    source: init.source,
    session_id: init.session_id ?? null,
    agent_id: init.agent_id ?? null,
    correlation_id: init.correlation_id ?? null,
    parent_id: init.parent_id ?? null,
    tags: init.tags ?? [],
    performance_metrics: init.performance_metrics ?? null,
    stack_trace: init.stack_trace ?? null,
    context_snapshot: init.context_snapshot ?? null,
    trace_id: init.trace_id ?? null,
    span_id: init.span_id ?? null,
    parent_span_id: init.parent_span_id ?? null,
    kind: init.kind ?? (init.duration_ms != null ? 'span' : 'log'),
    service_name: init.service_name ?? null,
  };
}
