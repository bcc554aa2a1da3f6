import type { DebbieEvent, EventFilter } from '@debbie/model';
import { RingBuffer } from './RingBuffer.js';

/** What one subscriber has seen; `dropped` counts events lost to its full queue. */
export interface SubscriptionStats {
  id: number;
  filter: EventFilter;
  /** Events waiting in its queue. */
  queued: number;
  maxQueue: number;
  /** Events handed to the consumer. */
  delivered: number;
  /** Oldest events overwritten because the consumer fell `maxQueue` behind. */
  dropped: number;
}

const DONE: IteratorResult<DebbieEvent> = { value: undefined, done: true };

/**
 * One subscriber's view of the stream: an async iterator over the events that pass its filter.
 * The producer side (`offer`) never blocks: a full queue drops its oldest event and counts it.
 * `return()` (what `break` in `for await` calls) unsubscribes at once.
 */
export class Subscription implements AsyncIterableIterator<DebbieEvent> {
  readonly id: number;
  readonly filter: EventFilter;
  private readonly queue: RingBuffer<DebbieEvent>;
  private waiter: ((result: IteratorResult<DebbieEvent>) => void) | undefined;
  private ended = false;
  private deliveredCount = 0;
  private droppedCount = 0;
  private readonly onClose: (subscription: Subscription) => void;

  /** @internal Created by LogStreamer.subscribe. */
  constructor(id: number, filter: EventFilter, maxQueue: number, onClose: (subscription: Subscription) => void) {
    this.id = id;
    this.filter = filter;
    this.queue = new RingBuffer<DebbieEvent>(maxQueue);
    this.onClose = onClose;
  }

  /** Events lost because this subscriber fell behind (drop-oldest). */
  get dropped(): number {
    return this.droppedCount;
  }

  get delivered(): number {
    return this.deliveredCount;
  }

  /** Events waiting to be read. */
  get queued(): number {
    return this.queue.size;
  }

  /** True once the subscription was closed or the streamer shut down. */
  get closed(): boolean {
    return this.ended;
  }

  /** @internal Hands an already-filtered event to this subscriber. Never blocks, never throws. */
  offer(event: DebbieEvent): void {
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.deliveredCount += 1;
      waiter({ value: event, done: false });
      return;
    }
    if (this.queue.push(event)) this.droppedCount += 1;
  }

  /** Takes a queued event without waiting; undefined when the queue is empty. */
  poll(): DebbieEvent | undefined {
    const event = this.queue.shift();
    if (event) this.deliveredCount += 1;
    return event;
  }

  next(): Promise<IteratorResult<DebbieEvent>> {
    const event = this.poll();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.ended) return Promise.resolve(DONE);
    if (this.waiter) {
      return Promise.reject(new Error('Subscription.next() called again before the previous call resolved'));
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Unsubscribes now; events still queued are discarded. */
  return(): Promise<IteratorResult<DebbieEvent>> {
    this.close();
    return Promise.resolve(DONE);
  }

  /** Unsubscribes now; events still queued are discarded. */
  close(): void {
    if (this.ended && this.queue.size === 0 && !this.waiter) {
      return;
    }
    this.queue.clear();
    this.finish();
  }

  /** @internal Stops accepting events; the consumer still reads what is queued, then the iterator ends. */
  end(): void {
    this.finish();
  }

  stats(): SubscriptionStats {
    return {
      id: this.id,
      filter: this.filter,
      queued: this.queue.size,
      maxQueue: this.queue.capacity,
      delivered: this.deliveredCount,
      dropped: this.droppedCount,
    };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    const first = !this.ended;
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(DONE);
    if (first) this.onClose(this);
  }
}
