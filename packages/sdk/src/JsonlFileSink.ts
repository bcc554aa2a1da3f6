import { closeSync, fsyncSync, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';
import type { DebbieEvent, EventSink } from '@debbie/model';

export interface JsonlFileSinkOptions {
  /** Bytes buffered before a write is started (default 64 KiB). */
  chunkBytes?: number;
  /** Bytes that may wait for the disk before new events are dropped and counted (default 32 MiB). */
  maxBufferedBytes?: number;
  /** Append to an existing file (default true). */
  append?: boolean;
}

/**
 * Appends events as JSON Lines. Lines are joined in memory and written in large chunks with one
 * write in flight at a time (as pino's sonic-boom does), so the caller never waits for the disk.
 */
export class JsonlFileSink implements EventSink {
  private readonly fd: number;
  private readonly chunkBytes: number;
  private readonly maxBufferedBytes: number;
  private pending: string[] = [];
  private pendingChars = 0;
  private writing = false;
  private waiters: (() => void)[] = [];
  private closed = false;
  /** Events dropped because the disk could not keep up. */
  dropped = 0;
  /** Write errors (the chunk is lost; the error is kept in lastError). */
  errors = 0;
  lastError: Error | undefined;

  constructor(
    readonly path: string,
    options: JsonlFileSinkOptions = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, options.append === false ? 'w' : 'a');
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 32 * 1024 * 1024;
  }

  write(event: DebbieEvent): void {
    if (this.closed) return;
    if (this.pendingChars >= this.maxBufferedBytes) {
      this.dropped += 1;
      return;
    }
    const line = `${JSON.stringify(event)}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    if (!this.writing && this.pendingChars >= this.chunkBytes) this.drain();
  }

  private drain(): void {
    if (this.writing || this.pending.length === 0) {
      if (!this.writing) this.releaseWaiters();
      return;
    }
    this.writing = true;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    write(this.fd, chunk, null, 'utf8', (error) => {
      this.writing = false;
      if (error) {
        this.errors += 1;
        this.lastError = error;
      }
      if (this.pendingChars >= this.chunkBytes || this.waiters.length > 0) this.drain();
    });
  }

  private releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  forceFlush(): Promise<void> {
    if (!this.writing && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.drain();
    });
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.forceFlush();
    this.closed = true;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}
