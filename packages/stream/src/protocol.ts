import { DebbieError, filterFromSearchParams, type DebbieEvent, type EventFilter } from '@debbie/model';

/**
 * The wire protocol of the stream: each text message is one DebbieEvent as JSON, or a control
 * message carrying a `stream` key (a DebbieEvent never has one):
 * - `{"stream":"error","code":"invalid_filter","message":"…"}` before a 1008 close;
 * - `{"stream":"dropped","dropped":N}`: N events dropped so far for this client (slow reader).
 * The filter and `replay=false` travel as URL query parameters (filterToSearchParams).
 */
export type ControlMessage = { stream: 'error'; code: string; message: string } | { stream: 'dropped'; dropped: number };

/** The query parameters the server understands. */
export const STREAM_QUERY_KEYS: readonly string[] = [
  'source',
  'level',
  'minLevel',
  'session',
  'agent',
  'correlation',
  'since',
  'until',
  'text',
  'tag',
  'replay',
];

/** Close code for a policy violation (RFC 6455 §7.4.1): used for a bad filter. */
export const CLOSE_POLICY_VIOLATION = 1008;

/** Parses a subscription request; throws DebbieError `invalid_filter` naming the bad parameter. */
export function parseStreamQuery(params: URLSearchParams): { filter: EventFilter; replay: boolean } {
  for (const key of new Set(params.keys())) {
    if (!STREAM_QUERY_KEYS.includes(key)) {
      throw new DebbieError('invalid_filter', `unknown query parameter "${key}"; expected one of ${STREAM_QUERY_KEYS.join(', ')}`);
    }
  }
  const filter = filterFromSearchParams(params);
  const replayText = params.get('replay');
  let replay = true;
  if (replayText !== null) {
    if (/^(true|1|yes)$/i.test(replayText)) replay = true;
    else if (/^(false|0|no)$/i.test(replayText)) replay = false;
    else throw new DebbieError('invalid_filter', `replay must be true or false, got "${replayText}"`, 'replay');
  }
  return { filter, replay };
}

// Several clients usually receive the same event: serialize it once.
const serialized = new WeakMap<DebbieEvent, string>();

/** The JSON text of an event, cached per event object. */
export function eventJson(event: DebbieEvent): string {
  let text = serialized.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    serialized.set(event, text);
  }
  return text;
}
