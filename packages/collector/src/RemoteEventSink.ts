import { DebbieError, type DebbieEvent, type EventSink } from '@debbie/model';
import { COMMENTARY_DONE_HEADER, COMMENTARY_DONE_VALUE } from '@debbie/pipeline';
import type { PostEventsResult } from './http/postEvents.js';

export interface RemoteEventSinkOptions {
  /** Base URL of a running collector. */
  url: string;
  /** Bearer token; default env DEBBIE_TOKEN. */
  token?: string | undefined;
  /** Events per POST. Default 2,000. */
  batchSize?: number;
  /** Events waiting to be sent; beyond it write() drops and counts. Default 100,000. */
  maxQueued?: number;
  /** A partial batch is sent after this long, so a live watcher sees events promptly. Default 250 ms. */
  flushIntervalMs?: number;
  /** The sender's pipeline already ran commentary on these events: the collector must not comment again. */
  commentaryDone?: boolean;
  /** How long to keep retrying a batch the collector answers 503/429 (it honours Retry-After). Default 5 minutes. */
  retryForMs?: number;
}

/**
 * An EventSink that sends events to a running collector (POST /api/events, NDJSON), in batches,
 * one request at a time. The collector answers 2xx only once a batch is committed, so `sent` counts
 * what is stored. A 503/429 is retried after its Retry-After (the collector is behind) for up to
 * retryForMs; senders that can wait await `ready()` so the queue never overflows. write() never
 * blocks; over maxQueued it drops and counts. A failed batch is counted as dropped, its error kept in `lastError`.
 */
export class RemoteEventSink implements EventSink {
  private readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly flushIntervalMs: number;
  private readonly commentaryDone: boolean;
  private readonly retryForMs: number;
  private timer: NodeJS.Timeout | undefined;
  private queue: DebbieEvent[] = [];
  private sending: Promise<void> = Promise.resolve();
  private scheduled = false;
  readonly stats = { sent: 0, rejected: 0, dropped: 0, retries: 0 };
  /** Forwards span-start events too: the collector's live views show spans in progress. */
  readonly acceptsSpanStarts = true;
  lastError: Error | undefined;

  constructor(options: RemoteEventSinkOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, '')}/api/events`;
    this.token = options.token ?? (process.env.DEBBIE_TOKEN || undefined);
    this.batchSize = options.batchSize ?? 2000;
    this.maxQueued = options.maxQueued ?? 100_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.commentaryDone = options.commentaryDone ?? false;
    this.retryForMs = options.retryForMs ?? 5 * 60_000;
  }

  /** Resolves when the queue is at most half full: a sender that can wait (file ingest) awaits it between reads. */
  async ready(): Promise<void> {
    while (this.queue.length > this.maxQueued / 2) await this.sending;
  }

  write(event: DebbieEvent): void {
    if (this.queue.length >= this.maxQueued) {
      this.stats.dropped += 1;
      return;
    }
    this.queue.push(event);
    if (this.queue.length >= this.batchSize && !this.scheduled) {
      this.scheduled = true;
      this.sending = this.sending.then(() => this.drain(false));
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sending = this.sending.then(() => this.drain(true));
      }, this.flushIntervalMs);
      this.timer.unref();
    }
  }

  async forceFlush(): Promise<void> {
    this.sending = this.sending.then(() => this.drain(true));
    await this.sending;
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.forceFlush();
  }

  private async drain(all: boolean): Promise<void> {
    this.scheduled = false;
    while (this.queue.length >= (all ? 1 : this.batchSize)) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.post(batch);
      } catch (error) {
        this.stats.dropped += batch.length;
        this.lastError = error as Error;
      }
    }
  }

  private async post(batch: DebbieEvent[]): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-ndjson' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (this.commentaryDone) headers[COMMENTARY_DONE_HEADER] = COMMENTARY_DONE_VALUE;
    const body = batch.map((e) => JSON.stringify(e)).join('\n');
    const giveUpAt = Date.now() + this.retryForMs;
    let res: Response;
    for (;;) {
      try {
        res = await fetch(this.endpoint, { method: 'POST', headers, body });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        throw new DebbieError('collector_unreachable', `cannot reach the collector at ${this.endpoint} (${cause?.code ?? (error as Error).message})`, '--url');
      }
      if ((res.status !== 503 && res.status !== 429) || Date.now() >= giveUpAt) break;
      // The collector is behind or its store cannot write: wait as it asks, then send the same batch again.
      await res.arrayBuffer().catch(() => undefined);
      this.stats.retries += 1;
      const after = Number(res.headers.get('retry-after'));
      await new Promise((resolve) => setTimeout(resolve, Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 1000, 30_000)));
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new DebbieError('collector_error', `${this.endpoint} answered ${res.status}: ${text.slice(0, 300)}`, '--url');
    }
    const result = (await res.json()) as PostEventsResult;
    this.stats.sent += result.accepted;
    this.stats.rejected += result.rejected;
  }
}
