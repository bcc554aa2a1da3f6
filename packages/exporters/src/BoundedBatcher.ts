/** What a transport reports for one batch it sent. */
export interface BatchOutcome {
  /** Items the server accepted. */
  accepted: number;
  /** Items the server refused for good. */
  rejected: number;
  /** Bytes sent (after compression). */
  bytes: number;
  /** Items sent again after an ambiguous failure (possible, marked duplicates). */
  resent?: number;
}

export interface BoundedBatcherOptions<T> {
  /** Most bytes in one batch (as the caller measures each item). No default: the transport's limit. */
  maxBytes: number;
  /** Most items in one batch. No default: the transport's limit. */
  maxItems: number;
  /** Sends one batch; a rejection propagates to the `add` or `flush` that triggered it. */
  send: (items: T[]) => Promise<BatchOutcome>;
}

/**
 * Collects items into batches bounded by bytes and by count and sends each one as it fills, so
 * that a network destination holds at most one batch; keeps the totals for the export summary.
 */
export class BoundedBatcher<T> {
  /** Items the server accepted, over every batch sent. */
  accepted = 0;
  /** Items the server refused for good, over every batch sent. */
  rejected = 0;
  /** Bytes sent, over every batch. */
  bytes = 0;
  /** Items sent again after an ambiguous failure, over every batch. */
  resent = 0;
  private items: T[] = [];
  private itemBytes = 0;

  constructor(private readonly options: BoundedBatcherOptions<T>) {}

  /** Adds an item of `size` bytes, first sending the batch so far if the item would overfill it. */
  async add(item: T, size: number): Promise<void> {
    if (this.items.length > 0 && (this.itemBytes + size > this.options.maxBytes || this.items.length >= this.options.maxItems)) await this.flush();
    this.items.push(item);
    this.itemBytes += size;
  }

  /** Sends what is collected, if anything. */
  async flush(): Promise<void> {
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.itemBytes = 0;
    const outcome = await this.options.send(items);
    this.accepted += outcome.accepted;
    this.rejected += outcome.rejected;
    this.bytes += outcome.bytes;
    this.resent += outcome.resent ?? 0;
  }
}
