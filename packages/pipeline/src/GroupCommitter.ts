import type { DebbieEvent } from '@debbie/model';

/** Events already encoded for the store elsewhere (an ingest worker's rows): opaque here but for their number. */
export interface EncodedEventBatch {
  readonly count: number;
}

/** What the committer needs of a store: a write that resolves once the events are committed. */
export interface CommitTarget {
  append(events: readonly DebbieEvent[]): Promise<void>;
  /** Stores encoded batches (the DuckDB store's appendEncoded); only stores that have it are handed any. */
  appendEncoded?(batches: readonly EncodedEventBatch[]): Promise<void>;
}

interface Group {
  events: DebbieEvent[];
  encoded: EncodedEventBatch[];
  /** Events the encoded batches stand for. */
  encodedCount: number;
  /** Events of the group whose commit nobody awaits (push). */
  unwaited: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined); // a caller that did not wait must not see an unhandled rejection
  return { events: [], encoded: [], encodedCount: 0, unwaited: 0, done, resolve, reject };
}

function size(group: Group): number {
  return group.events.length + group.encodedCount;
}

/**
 * Group commit: events handed in while one commit runs wait for the next, which takes all of them
 * at once, so many small requests cost one transaction. `add` returns the promise of the commit
 * that holds its events. Counts what is waiting (`load`) so callers can refuse work before memory
 * grows; remembers a failed commit for `failingMs` so callers answer "unavailable" instead of
 * piling more on a store that cannot write, and then lets the next group try again.
 */
export class GroupCommitter {
  private readonly target: CommitTarget;
  private readonly failingMs: number;
  private readonly onFailure: ((error: Error, unwaited: number) => void) | undefined;
  private next: Group = newGroup();
  private running: Promise<void> | undefined;
  private committing = 0;
  private failedAt = 0;
  /** The error of the latest failed commit (cleared by a successful one). */
  lastError: Error | undefined;
  readonly counts = { committed: 0, failed: 0, commits: 0 };

  constructor(target: CommitTarget, options: { failingMs?: number; onFailure?: (error: Error, unwaited: number) => void } = {}) {
    this.target = target;
    this.failingMs = options.failingMs ?? 1000;
    this.onFailure = options.onFailure;
  }

  /** Events handed in and not yet committed (or failed). */
  get load(): number {
    return size(this.next) + this.committing;
  }

  /** The store failed its latest commit less than failingMs ago. */
  get failing(): boolean {
    return this.lastError !== undefined && Date.now() - this.failedAt < this.failingMs;
  }

  add(events: readonly DebbieEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const group = this.next;
    for (const e of events) group.events.push(e);
    this.start();
    return group.done;
  }

  /** One event whose commit nobody waits for (a failure still reaches onFailure and the counts). */
  push(event: DebbieEvent): void {
    this.next.events.push(event);
    this.next.unwaited += 1;
    this.start();
  }

  /** An encoded batch whose commit nobody waits for, as push (needs a target with appendEncoded). */
  pushEncoded(batch: EncodedEventBatch): void {
    this.next.encoded.push(batch);
    this.next.encodedCount += batch.count;
    this.next.unwaited += batch.count;
    this.start();
  }

  /** Resolves when the commit running now ends (at once when none runs). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Resolves when everything handed in so far was committed or failed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private start(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (size(this.next) > 0) this.start();
    });
  }

  private async loop(): Promise<void> {
    // Let the requests that arrive in the same turn join the first group.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (size(this.next) > 0) {
      const group = this.next;
      this.next = newGroup();
      this.committing = size(group);
      try {
        if (group.events.length > 0) await this.target.append(group.events);
        if (group.encoded.length > 0) await this.target.appendEncoded!(group.encoded);
        this.counts.committed += size(group);
        this.counts.commits += 1;
        this.lastError = undefined;
        group.resolve();
      } catch (error) {
        this.counts.failed += size(group);
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.failedAt = Date.now();
        group.reject(this.lastError);
        this.onFailure?.(this.lastError, group.unwaited);
      } finally {
        this.committing = 0;
      }
    }
  }
}
