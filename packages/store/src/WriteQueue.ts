import { DebbieError, type DebbieEvent } from '@debbie/model';
import type { StoreStats } from './Store.js';

export interface WriteQueueOptions {
  /** Events per batch handed to `writeBatch`. */
  batchSize: number;
  /** A partial batch waits at most this long before it is written. */
  flushIntervalMs: number;
  /** Events queued by `write` before further ones are dropped (and counted). */
  maxQueuedEvents: number;
  /** Told of every failed batch (and of what the backend reports through `report`). */
  onError?: ((error: Error) => void) | undefined;
  /** Stores one batch; rejects when the backend failed it. */
  writeBatch: (events: readonly DebbieEvent[]) => Promise<void>;
}

/**
 * The write side the DuckDB and ClickHouse stores share: a bounded queue that never blocks the
 * writer, written in batches when full or after flushIntervalMs; every backend call runs on one
 * chain, in order; the counters behind stats() and the promise of commit().
 */
export class WriteQueue {
  readonly counters = { appended: 0, dropped: 0, rejected: 0, duplicates: 0, batches: 0 };
  /** Why the latest write failed or took the slow path, if one did. */
  lastError: string | null = null;
  private readonly options: WriteQueueOptions;
  private queue: DebbieEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private droppedAtCommit = 0;

  constructor(options: WriteQueueOptions) {
    this.options = options;
  }

  /** Queues an event; never blocks or throws. Over maxQueuedEvents, or when not `accepting`, it is dropped and counted. */
  write(event: DebbieEvent, accepting: boolean): void {
    if (!accepting || this.queue.length >= this.options.maxQueuedEvents) {
      this.counters.dropped += 1;
      return;
    }
    this.queue.push(event);
    if (this.queue.length >= this.options.batchSize) this.scheduleFlush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.scheduleFlush();
      }, this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Stores events in batches on the chain; resolves when all are stored, rejects when a batch failed. */
  async append(events: readonly DebbieEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += this.options.batchSize) {
      const slice = events.slice(i, i + this.options.batchSize);
      await this.enqueue(() => this.options.writeBatch(slice));
    }
  }

  /** Runs a backend task after the previous one; a failure rejects its own promise only. */
  enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Runs a task right after what is queued now is written (enqueued at once, so a close that follows runs it first). */
  afterQueued(task: () => Promise<void>): Promise<void> {
    this.clearTimer();
    return this.enqueue(async () => {
      await this.drain();
      await task();
    });
  }

  /** Resolves when every event written so far is stored (or counted as dropped). */
  async flush(): Promise<void> {
    this.clearTimer();
    await this.enqueue(() => this.drain()).catch(() => undefined);
  }

  /** Flushes, then rejects (store_write_failed) if anything written since the last commit was dropped. */
  async commit(storePath: string): Promise<void> {
    await this.flush();
    const lost = this.counters.dropped - this.droppedAtCommit;
    this.droppedAtCommit = this.counters.dropped;
    if (lost > 0) {
      throw new DebbieError(
        'store_write_failed',
        `${lost} event(s) written since the last commit were not stored (${this.lastError ?? 'queue full or store closed'})`,
        storePath,
      );
    }
  }

  /** For close: writes what is queued (when `writable`) and waits for every task on the chain. */
  async settle(writable: boolean): Promise<void> {
    this.clearTimer();
    if (writable) await this.enqueue(() => this.drain()).catch(() => undefined);
    await this.chain;
  }

  /** Remembers an error as lastError and tells onError (a throwing callback never breaks the write path). */
  report(error: Error): void {
    this.lastError = error.message;
    try {
      this.options.onError?.(error);
    } catch {
      // ignored: see above
    }
  }

  stats(): StoreStats {
    return { ...this.counters, queued: this.queue.length, lastError: this.lastError };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.clearTimer();
    void this.enqueue(() => {
      this.flushScheduled = false;
      return this.drain();
    }).catch(() => undefined);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes the queue in batches; a failed batch is counted as dropped and reported, the rest go on. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.batchSize);
      try {
        await this.options.writeBatch(batch);
      } catch (error) {
        this.counters.dropped += batch.length;
        this.report(error as Error);
      }
    }
  }
}
