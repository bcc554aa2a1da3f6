import type { DebbieEvent, EventSink } from '@debbie/model';

/** Keeps events in memory (bounded: the oldest are dropped past `limit`). For tests and the demo. */
export class InMemorySink implements EventSink {
  readonly events: DebbieEvent[] = [];
  dropped = 0;
  private readonly limit: number;

  /** @param limit maximum events kept (default 1,000,000). */
  constructor(limit = 1_000_000) {
    this.limit = limit;
  }

  write(event: DebbieEvent): void {
    if (this.events.length >= this.limit) {
      this.events.shift();
      this.dropped += 1;
    }
    this.events.push(event);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
