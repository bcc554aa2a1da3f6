import { DebbieError, type DebbieEvent, type EventSink } from '@debbie/model';
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
}

/**
 * An EventSink that sends events to a running collector (POST /api/events, NDJSON), in batches,
 * one request at a time. write() never blocks; over maxQueued it drops and counts.
 * A failed request is counted (its events as dropped) and the error kept for `lastError`.
 */
export class RemoteEventSink implements EventSink {
  private readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly flushIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private queue: DebbieEvent[] = [];
  private sending: Promise<void> = Promise.resolve();
  private scheduled = false;
  readonly stats = { sent: 0, rejected: 0, dropped: 0 };
  lastError: Error | undefined;

  constructor(options: RemoteEventSinkOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, '')}/api/events`;
    this.token = options.token ?? (process.env.DEBBIE_TOKEN || undefined);
    this.batchSize = options.batchSize ?? 2000;
    this.maxQueued = options.maxQueued ?? 100_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
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
    let res: Response;
    try {
      res = await fetch(this.endpoint, { method: 'POST', headers, body: batch.map((e) => JSON.stringify(e)).join('\n') });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new DebbieError('collector_unreachable', `cannot reach the collector at ${this.endpoint} (${cause?.code ?? (error as Error).message})`, '--url');
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
