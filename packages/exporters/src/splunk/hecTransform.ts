import { epochMicros, type DebbieEvent } from '@debbie/model';
import { orderedEvent } from '../columns.js';

export interface HecEnvelopeOptions {
  /** `host` of every event. Default: the event's service_name, else 'debbie'. */
  host?: string;
  /** `source`. Default 'debbie:<event source>' (e.g. debbie:tool). */
  source?: string;
  /** `sourcetype`. Default '_json' (Splunk's built-in structured type). */
  sourcetype?: string;
  /** `index`. Default: none (the token's default index). */
  index?: string;
}

/** The HEC event envelope (https://docs.splunk.com: "Format events for HTTP Event Collector"). */
export interface HecEnvelope {
  time: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: Record<string, unknown>;
  /** Indexed fields: flat strings only, as HEC requires. */
  fields: Record<string, string | string[]>;
}

/**
 * A DebbieEvent as a HEC envelope: `time` in epoch seconds with microseconds, the whole event
 * (stable column order) as `event`, and the ids people search by as indexed `fields`. Pure.
 */
export function eventToHec(event: DebbieEvent, options: HecEnvelopeOptions = {}): HecEnvelope {
  // event_id is indexed so a copy resent after an ambiguous failure can be removed: `| dedup event_id`.
  const fields: Record<string, string | string[]> = { event_id: event.event_id, level: event.level, debbie_source: event.source, kind: event.kind };
  if (event.session_id) fields.session_id = event.session_id;
  if (event.agent_id) fields.agent_id = event.agent_id;
  if (event.correlation_id) fields.correlation_id = event.correlation_id;
  if (event.trace_id) fields.trace_id = event.trace_id;
  if (event.tags.length > 0) fields.tags = event.tags;
  const envelope: HecEnvelope = {
    time: Math.round(epochMicros(event.timestamp)) / 1e6,
    host: options.host ?? event.service_name ?? 'debbie',
    source: options.source ?? `debbie:${event.source}`,
    sourcetype: options.sourcetype ?? '_json',
    event: orderedEvent(event),
    fields,
  };
  if (options.index) envelope.index = options.index;
  return envelope;
}

/** A batch body: envelopes as concatenated JSON objects, one per line (HEC's batch format). */
export function hecBatchBody(envelopes: readonly HecEnvelope[]): string {
  let out = '';
  for (const e of envelopes) out += `${JSON.stringify(e)}\n`;
  return out;
}
