import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DebbieEvent, EventSink } from '@debbie/model';

export interface RotatingFileSinkOptions {
  /** Rotate before the file would reach this many bytes; 0 never rotates (Python's default). */
  maxBytes?: number;
  /** Rotated files kept (file.1 newest … file.N oldest); 0 never rotates, as in Python. */
  backupCount?: number;
  /** Turns an event into one line (without the newline). */
  format: (event: DebbieEvent) => string;
  /** Bytes buffered before a synchronous write (default 64 KiB); forceFlush writes the rest. */
  chunkBytes?: number;
  /** How often buffered lines are written even when the chunk is not full (default 500 ms). */
  flushIntervalMs?: number;
}

/**
 * A file sink that rotates as Python's RotatingFileHandler does: when the next line would push
 * the file past maxBytes, file.N is deleted, file.i becomes file.i+1, and file becomes file.1.
 * Lines are buffered (sizes are counted as they are buffered, so rotation is exact).
 */
export class RotatingFileSink implements EventSink {
  private fd: number;
  private size: number;
  private buffer: string[] = [];
  private bufferBytes = 0;
  private readonly maxBytes: number;
  private readonly backupCount: number;
  private readonly chunkBytes: number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** Rollovers done so far. */
  rotations = 0;
  /** Write errors; the lines of a failed write are lost and counted here. */
  errors = 0;

  constructor(
    readonly path: string,
    private readonly options: RotatingFileSinkOptions,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
    this.maxBytes = options.maxBytes ?? 0;
    this.backupCount = options.backupCount ?? 0;
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
    this.timer = setInterval(() => this.flushBuffer(), options.flushIntervalMs ?? 500);
    this.timer.unref();
  }

  write(event: DebbieEvent): void {
    if (this.closed) return;
    const line = `${this.options.format(event)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.maxBytes > 0 && this.backupCount > 0 && this.size + this.bufferBytes > 0 && this.size + this.bufferBytes + bytes > this.maxBytes) {
      this.rollover();
    }
    this.buffer.push(line);
    this.bufferBytes += bytes;
    if (this.bufferBytes >= this.chunkBytes) this.flushBuffer();
  }

  private flushBuffer(): void {
    if (this.buffer.length === 0 || this.closed) return;
    const chunk = this.buffer.join('');
    const bytes = this.bufferBytes;
    this.buffer = [];
    this.bufferBytes = 0;
    try {
      writeSync(this.fd, chunk);
      this.size += bytes;
    } catch {
      this.errors += 1;
    }
  }

  private rollover(): void {
    this.flushBuffer();
    closeSync(this.fd);
    const oldest = `${this.path}.${this.backupCount}`;
    if (existsSync(oldest)) rmSync(oldest);
    for (let i = this.backupCount - 1; i >= 1; i--) {
      const from = `${this.path}.${i}`;
      if (existsSync(from)) renameSync(from, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'w');
    this.size = 0;
    this.rotations += 1;
  }

  async forceFlush(): Promise<void> {
    this.flushBuffer();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.flushBuffer();
    clearInterval(this.timer);
    this.closed = true;
    closeSync(this.fd);
  }
}
