import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DebbieEvent, EventFilter } from '@debbie/model';

/** Where live events come from: the collector's LogStreamer fits this. */
export interface LiveSource {
  subscribe(
    filter: EventFilter,
    options: { replay?: boolean; signal?: AbortSignal; maxQueue?: number; spanStarts?: boolean },
  ): AsyncIterable<DebbieEvent> & { readonly dropped: number };
}

/** How often queued events go out as one SSE message (ms): well inside the 1 s the console promises. */
const FLUSH_MS = 100;
/** Keep-alive comment interval, so proxies and the browser keep the stream open. */
const KEEPALIVE_MS = 15_000;
/** Events one subscriber may have queued before the oldest are dropped (counted, and told to the client). */
const MAX_QUEUE = 20_000;

/**
 * GET /console/api/live as Server-Sent Events, same origin and same token as the rest of the API.
 * `?session=ID`: that session's events (span starts included), as `event: events` messages with a
 * JSON array. Without it: `event: touch` messages with the ids of sessions that changed (the
 * sessions list refreshes what it shows). `event: dropped` tells how many events the client missed
 * because it fell behind.
 */
export async function serveLive(live: LiveSource, p: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const sessionId = p.get('session') || undefined;
  const abort = new AbortController();
  const subscription = live.subscribe(sessionId ? { sessionId } : {}, { replay: false, signal: abort.signal, maxQueue: MAX_QUEUE, spanStarts: true });
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.write(`retry: 1000\n: debbie live${sessionId ? ` session ${sessionId}` : ''}\n\n`);
  let batch: DebbieEvent[] = [];
  const touched = new Set<string>();
  let lastDropped = 0;
  let blocked = false;
  const flush = () => {
    if (blocked || res.writableEnded) return;
    const dropped = subscription.dropped;
    let text = '';
    if (dropped > lastDropped) {
      text += `event: dropped\ndata: ${dropped}\n\n`;
      lastDropped = dropped;
    }
    if (sessionId && batch.length) {
      text += `event: events\ndata: ${JSON.stringify(batch)}\n\n`;
      batch = [];
    } else if (!sessionId && touched.size) {
      text += `event: touch\ndata: ${JSON.stringify([...touched])}\n\n`;
      touched.clear();
    }
    if (!text) return;
    if (!res.write(text)) {
      // the client is slow: events wait in the subscription's bounded queue meanwhile
      blocked = true;
      res.once('drain', () => {
        blocked = false;
      });
    }
  };
  const timer = setInterval(flush, FLUSH_MS);
  const keepAlive = setInterval(() => {
    if (!blocked) res.write(': keep-alive\n\n');
  }, KEEPALIVE_MS);
  const stop = () => abort.abort();
  req.on('close', stop);
  res.on('close', stop);
  try {
    for await (const event of subscription) {
      if (sessionId) batch.push(event);
      else if (event.session_id) touched.add(event.session_id);
      while (blocked && !abort.signal.aborted) await new Promise((r) => setTimeout(r, FLUSH_MS));
    }
  } finally {
    clearInterval(timer);
    clearInterval(keepAlive);
    flush();
    res.end();
  }
}
