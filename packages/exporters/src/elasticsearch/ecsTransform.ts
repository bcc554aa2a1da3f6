import type { DebbieEvent } from '@debbie/model';

/** An Elastic Common Schema document (the subset Debbie fills; see docs/export-formats.md). */
export type EcsDocument = Record<string, unknown> & { '@timestamp': string; message: string };

const compact = (o: Record<string, unknown>): Record<string, unknown> | undefined => {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(o))
    if (v !== null && v !== undefined) {
      out[k] = v;
      any = true;
    }
  return any ? out : undefined;
};

export interface EcsOptions {
  /**
   * Send details, state_before/after and context as objects instead of JSON text. Only safe when
   * the index maps them as `flattened` (see docs/export-formats.md): with dynamic mappings, tools
   * that put different types under the same key (a string here, an object there) get their
   * documents refused. Default false.
   */
  structuredDetails?: boolean;
}

const asJson = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : JSON.stringify(v));

/**
 * A DebbieEvent as an ECS document: standard fields where ECS has them (`@timestamp`, `message`,
 * `log.level`, `event.duration` in nanoseconds, `trace.id`, `span.id`, `service.name`,
 * `error.stack_trace`, `tags`, `labels.*` for the ids people filter on) and the rest under
 * `debbie.*`. Pure: no I/O.
 */
export function eventToEcs(event: DebbieEvent, options: EcsOptions = {}): EcsDocument {
  const nested = options.structuredDetails ? (v: unknown) => v : asJson;
  const doc: EcsDocument = { '@timestamp': event.timestamp, message: event.event_summary };
  doc.log = { level: event.level.toLowerCase(), logger: event.component };
  doc.event = compact({
    id: event.event_id,
    action: event.action || undefined,
    dataset: `debbie.${event.source}`,
    kind: 'event',
    duration: event.duration_ms === null ? undefined : Math.round(event.duration_ms * 1e6),
    outcome: event.level === 'ERROR' || event.level === 'CRITICAL' ? 'failure' : undefined,
  });
  if (event.service_name) doc.service = { name: event.service_name };
  if (event.trace_id) doc.trace = { id: event.trace_id };
  if (event.span_id) doc.span = { id: event.span_id };
  if (event.tags.length > 0) doc.tags = event.tags;
  const labels = compact({
    session_id: event.session_id,
    agent_id: event.agent_id,
    correlation_id: event.correlation_id,
  });
  if (labels) doc.labels = labels;
  if (event.stack_trace) doc.error = { stack_trace: event.stack_trace };
  doc.debbie = compact({
    source: event.source,
    component: event.component,
    kind: event.kind,
    parent_id: event.parent_id,
    parent_span_id: event.parent_span_id,
    metrics: event.performance_metrics,
    details: Object.keys(event.details).length > 0 ? nested(event.details) : undefined,
    state_before: nested(event.state_before),
    state_after: nested(event.state_after),
    context: nested(event.context_snapshot),
  });
  return doc;
}
