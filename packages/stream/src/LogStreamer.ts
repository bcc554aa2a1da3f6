import { DebbieError, isSpanStart, matchesFilter, type Clock, type DebbieEvent, type EventFilter, type EventSink } from '@debbie/model';
import { AlertRunner } from './alerts/AlertRunner.js';
import type { AlertRule, AlertStats } from './alerts/Alert.js';
import { RingBuffer } from './RingBuffer.js';
import { Subscription, type SubscriptionStats } from './Subscription.js';

export interface LogStreamerOptions {
  /** Events kept for replay to new subscribers (default 10,000, the seed's buffer_size). */
  bufferSize?: number;
  /** Default bound of each subscriber's queue (default 10,000); a full queue drops its oldest. */
  maxQueue?: number;
  /** Subscribers allowed at once (default 1,000); subscribe beyond it throws `too_many_subscribers`. */
  maxSubscribers?: number;
  /** Time for alert cooldowns (default the system clock). */
  clock?: Clock;
}

export interface SubscribeOptions {
  /** Deliver the buffered events that pass the filter first (default true). */
  replay?: boolean;
  /** This subscriber's queue bound (default the streamer's maxQueue). */
  maxQueue?: number;
  /** Closing the subscription when aborted. */
  signal?: AbortSignal;
  /** Also deliver span-start events (spans in progress; see @debbie/model SPAN_START_TAG). Default false. */
  spanStarts?: boolean;
}

export interface LogStreamerStats {
  /** Events in the replay buffer. */
  buffered: number;
  bufferSize: number;
  /** Events written since start. */
  emitted: number;
  /** Events written after shutdown (ignored). */
  rejected: number;
  subscribers: SubscriptionStats[];
  /** Sum of every current subscriber's drops plus those of subscribers already gone. */
  dropped: number;
  alerts: AlertStats[];
}

const DEFAULT_BUFFER = 10_000;
const DEFAULT_MAX_QUEUE = 10_000;
const DEFAULT_MAX_SUBSCRIBERS = 1000;

/**
 * The realtime hub: keeps the last `bufferSize` events, fans each event out to filtered
 * subscribers (async iterators) and evaluates alerts. `write` never blocks and never throws:
 * a subscriber that falls behind loses its oldest events, counted in its `dropped`.
 * @example
 * const streamer = new LogStreamer();
 * for await (const event of streamer.subscribe({ sources: ['tool'] })) console.log(event.event_summary);
 */
export class LogStreamer implements EventSink {
  private readonly buffer: RingBuffer<DebbieEvent>;
  private readonly subscribers = new Set<Subscription>();
  private readonly alertRunner: AlertRunner;
  private readonly maxQueue: number;
  private readonly maxSubscribers: number;
  private nextId = 1;
  private emitted = 0;
  private rejected = 0;
  private droppedByGone = 0;
  private shutDown = false;
  /** Takes span-start events, for the subscribers that ask for them (SubscribeOptions.spanStarts). */
  readonly acceptsSpanStarts = true;
  private readonly startSubscribers = new WeakSet<Subscription>();

  constructor(options: LogStreamerOptions = {}) {
    const bufferSize = options.bufferSize ?? DEFAULT_BUFFER;
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new DebbieError('invalid_option', `bufferSize must be a positive integer, got ${bufferSize}`, 'LogStreamer');
    }
    this.buffer = new RingBuffer(bufferSize);
    this.maxQueue = checkQueue(options.maxQueue ?? DEFAULT_MAX_QUEUE);
    this.maxSubscribers = options.maxSubscribers ?? DEFAULT_MAX_SUBSCRIBERS;
    this.alertRunner = new AlertRunner(options.clock ? { clock: options.clock } : {});
  }

  /** Buffers the event, hands it to every matching subscriber and evaluates alerts. */
  write(event: DebbieEvent): void {
    if (this.shutDown) {
      this.rejected += 1;
      return;
    }
    if (isSpanStart(event)) {
      // spans in progress go only to subscribers that asked (the console); not buffered, not alerted on
      for (const subscription of this.subscribers) {
        if (this.startSubscribers.has(subscription) && matchesFilter(event, subscription.filter)) subscription.offer(event);
      }
      return;
    }
    this.emitted += 1;
    this.buffer.push(event);
    for (const subscription of this.subscribers) {
      if (matchesFilter(event, subscription.filter)) subscription.offer(event);
    }
    this.alertRunner.evaluate(event);
  }

  /**
   * Follows the events that pass `filter`, after replaying the buffered ones (unless
   * `replay: false`). Break out of the loop, call `return()` or abort `signal` to unsubscribe.
   */
  subscribe(filter: EventFilter = {}, options: SubscribeOptions = {}): Subscription {
    if (this.shutDown) throw new DebbieError('stream_closed', 'the streamer has shut down');
    if (this.subscribers.size >= this.maxSubscribers) {
      throw new DebbieError('too_many_subscribers', `the streamer already has ${this.subscribers.size} subscribers (maxSubscribers ${this.maxSubscribers})`);
    }
    const subscription = new Subscription(this.nextId++, filter, checkQueue(options.maxQueue ?? this.maxQueue), (s) => this.forget(s));
    this.subscribers.add(subscription);
    if (options.spanStarts) this.startSubscribers.add(subscription);
    if (options.replay ?? true) {
      for (const event of this.buffer.toArray()) {
        if (matchesFilter(event, filter)) subscription.offer(event);
      }
    }
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) subscription.close();
      else signal.addEventListener('abort', () => subscription.close(), { once: true });
    }
    return subscription;
  }

  /** Adds an alert; returns a function that removes it. See AlertRule for cooldown and bounds. */
  addAlert(rule: AlertRule): () => void {
    return this.alertRunner.add(rule);
  }

  removeAlert(name: string): boolean {
    return this.alertRunner.remove(name);
  }

  /** The buffered events that pass the filter, oldest first (a copy). */
  snapshot(filter: EventFilter = {}): DebbieEvent[] {
    return this.buffer.toArray().filter((e) => matchesFilter(e, filter));
  }

  stats(): LogStreamerStats {
    const subscribers = [...this.subscribers].map((s) => s.stats());
    return {
      buffered: this.buffer.size,
      bufferSize: this.buffer.capacity,
      emitted: this.emitted,
      rejected: this.rejected,
      subscribers,
      dropped: this.droppedByGone + subscribers.reduce((n, s) => n + s.dropped, 0),
      alerts: this.alertRunner.stats(),
    };
  }

  /** Resolves when every alert action started so far has finished. */
  forceFlush(): Promise<void> {
    return this.alertRunner.flush();
  }

  /** Stops accepting events; subscribers read what is queued, then their iterators end. */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    for (const subscription of [...this.subscribers]) subscription.end();
    await this.alertRunner.flush();
  }

  private forget(subscription: Subscription): void {
    if (this.subscribers.delete(subscription)) this.droppedByGone += subscription.dropped;
  }
}

function checkQueue(maxQueue: number): number {
  if (!Number.isInteger(maxQueue) || maxQueue < 1) {
    throw new DebbieError('invalid_option', `maxQueue must be a positive integer, got ${maxQueue}`, 'LogStreamer');
  }
  return maxQueue;
}
