import { createHash } from 'node:crypto';

/**
 * The stable id of an event a record gave none: from the file's identity, `--session` (the same
 * file under another session is other events), the record's byte offset, the event's index in the
 * record and the record's content (lines joined by '\n'), so ingesting the same file twice makes
 * the same ids. One function for the main thread and the ingest workers.
 */
export function recordEventId(fileKey: string, sessionId: string | undefined, offset: number, index: number, content: string | readonly string[]): string {
  const h = createHash('sha256').update(`${fileKey}\u0000${sessionId ?? ''}\u0000${offset}\u0000${index}\u0000`);
  if (typeof content === 'string') h.update(content);
  else content.forEach((l, i) => h.update(i ? `\n${l}` : l));
  return h.digest('hex').slice(0, 24);
}
