import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDebbieEvent, type DebbieEvent } from '@debbie/model';
import { COMMENTARY_DONE_HEADER, COMMENTARY_DONE_VALUE, type Pipeline } from '@debbie/pipeline';
import { HttpError } from './HttpError.js';
import { json } from './QueryApi.js';
import { readBody } from './readBody.js';

/** What POST /api/events answers. */
export interface PostEventsResult {
  /** Events committed to the store (all of the request's valid events: the answer waits for them). */
  accepted: number;
  rejected: number;
  /** The first few problems, each naming its line. */
  errors: string[];
}

/**
 * POST /api/events: DebbieEvents as NDJSON (or one JSON array) into the pipeline — how
 * `debbie ingest --url` and `debbie demo --url` feed a running collector. Each event is validated
 * alone; a bad one is reported by line and the rest are kept. Answers 200 once the valid events
 * are committed, 503 + Retry-After when the store is behind or failing (nothing was accepted).
 * A sender whose own pipeline ran commentary sets `x-debbie-commentary: done`, so the events are
 * not commented on twice.
 */
export async function handlePostEvents(
  req: IncomingMessage,
  res: ServerResponse,
  pipeline: Pick<Pipeline, 'writeBatch' | 'checkAvailable'>,
  maxBytes: number,
): Promise<void> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/x-ndjson' && type !== 'application/json') {
    throw new HttpError(415, `unsupported Content-Type "${type}"; send application/x-ndjson (one DebbieEvent per line) or application/json (an array)`);
  }
  pipeline.checkAvailable();
  const text = (await readBody(req, { maxBytes })).toString('utf8');
  const result: PostEventsResult = { accepted: 0, rejected: 0, errors: [] };
  const events: DebbieEvent[] = [];
  const take = (value: unknown, where: string) => {
    try {
      events.push(parseDebbieEvent(value, where));
    } catch (error) {
      result.rejected += 1;
      if (result.errors.length < 5) result.errors.push((error as Error).message);
    }
  };
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, `body is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(value)) throw new HttpError(400, 'body must be a JSON array of DebbieEvents');
    value.forEach((v, i) => take(v, `event [${i}]`));
  } else {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        result.rejected += 1;
        if (result.errors.length < 5) result.errors.push(`line ${i + 1}: not JSON (${(error as Error).message})`);
        continue;
      }
      take(value, `line ${i + 1}`);
    }
  }
  const commentaryDone =
    String(req.headers[COMMENTARY_DONE_HEADER] ?? '')
      .trim()
      .toLowerCase() === COMMENTARY_DONE_VALUE;
  await pipeline.writeBatch(events, { commentaryDone });
  result.accepted = events.length;
  json(res, 200, result);
}
