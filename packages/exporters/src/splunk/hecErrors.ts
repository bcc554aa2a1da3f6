/** HEC status codes (the `code` of its JSON answers) and what a user should do about each. */
const HEC_CODES: Record<number, string> = {
  0: 'Success',
  1: 'the HEC token is disabled: enable it in Settings > Data inputs > HTTP Event Collector',
  2: 'no token was sent: pass --to-token (a HEC token)',
  3: 'the Authorization header is malformed: it must be "Splunk <token>"',
  4: 'the HEC token is not valid: check --to-token (Settings > Data inputs > HTTP Event Collector)',
  5: 'the request had no data',
  6: 'the data is not in a format HEC accepts',
  7: "the index is not allowed for this token or does not exist: check --index and the token's allowed indexes",
  8: 'Splunk had an internal error',
  9: 'Splunk is busy (its queues are full)',
  10: 'indexer acknowledgment is on for this token, so a data channel is required',
  11: 'the data channel id is not valid (it must be a GUID)',
  12: 'an event had no "event" field',
  13: 'an event had a blank "event" field',
  14: 'indexer acknowledgment is disabled for this token: turn off ack in the exporter or enable it on the token',
  15: 'the indexed fields of an event could not be handled (they must be flat strings)',
  16: 'query-string authorization is not enabled for this token',
  18: 'HEC is unhealthy: its queues are full',
};

/** A clear message for a HEC answer: Splunk's own text, its code, and what to do. */
export function describeHecError(status: number, body: { text?: string; code?: number; 'invalid-event-number'?: number } | undefined): string {
  const code = body?.code;
  const hint = code !== undefined ? HEC_CODES[code] : undefined;
  const parts = [`Splunk HEC answered ${status}`];
  if (body?.text) parts.push(`"${body.text}"${code !== undefined ? ` (code ${code})` : ''}`);
  let message = parts.join(': ');
  if (hint) message += ` — ${hint}`;
  if (body?.['invalid-event-number'] !== undefined) message += ` (event #${body['invalid-event-number']} of the batch)`;
  return message;
}
