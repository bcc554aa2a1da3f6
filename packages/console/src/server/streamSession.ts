import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DebbieEvent, EventReader } from '@debbie/model';
import type { StepRow } from '../client/types.js';

export type { StepRow } from '../client/types.js';

export interface SessionStreamOptions {
  /** Most events sent (default 200,000); the rest are counted in the last line. */
  maxEvents: number;
  /** Comments sent whole (pinned to their steps); default 2,000. */
  maxComments?: number;
  /** Longest label (default 200 characters). */
  maxLabel?: number;
}

/** Rows in the first chunk: small, so the page draws at once; later chunks are larger. */
const FIRST_CHUNK = 1_000;
const CHUNK = 10_000;

function micros(iso: string): number {
  const ms = Date.parse(iso);
  const m = /\.(\d+)Z$/.exec(iso);
  const frac = m ? Number(m[1]!.padEnd(6, '0').slice(0, 6)) % 1000 : 0;
  return ms * 1000 + frac;
}

function rowOf(e: DebbieEvent, maxLabel: number): StepRow {
  const label = e.event_summary || `${e.source} ${e.action}`;
  return [
    micros(e.timestamp),
    typeof e.duration_ms === 'number' && e.duration_ms >= 0 ? e.duration_ms : -1,
    e.source,
    e.level,
    label.length > maxLabel ? `${label.slice(0, maxLabel)}…` : label,
    e.event_id,
    e.parent_id,
    e.parent_span_id,
    e.span_id,
  ];
}

/**
 * A session's steps as NDJSON, in time order, in chunks as the store yields them: the page draws
 * the first chunk while the rest arrive (a 100k-event session opens at once and fills in).
 * Lines: {"head":{…}} first, then {"rows":[StepRow…]} chunks, {"comments":[…]}, and
 * {"done":{"sent","total"}} last. A failure mid-stream cuts the stream (never a silently short one).
 */
export async function streamSession(
  reader: EventReader,
  sessionId: string,
  head: Record<string, unknown>,
  options: SessionStreamOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const maxLabel = options.maxLabel ?? 200;
  const maxComments = options.maxComments ?? 2_000;
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.write(`${JSON.stringify({ head })}\n`);
  const comments: DebbieEvent[] = [];
  let rows: StepRow[] = [];
  let sent = 0;
  let total = 0;
  let limit = FIRST_CHUNK;
  const flush = async () => {
    if (!rows.length) return;
    const ok = res.write(`${JSON.stringify({ rows })}\n`);
    sent += rows.length;
    rows = [];
    limit = CHUNK;
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  };
  for await (const page of reader.streamEvents({ sessionId }, { batchSize: FIRST_CHUNK * 2 })) {
    if (closed) break;
    for (const e of page) {
      total += 1;
      if (sent + rows.length >= options.maxEvents) continue;
      rows.push(rowOf(e, maxLabel));
      if ((e.source === 'debbie_comment' || e.source === 'debbie') && comments.length < maxComments) comments.push(e);
      if (rows.length >= limit) await flush();
    }
  }
  await flush();
  res.write(`${JSON.stringify({ comments })}\n`);
  res.end(`${JSON.stringify({ done: { sent, total } })}\n`);
}
