import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { DebbieError } from '@debbie/model';

/** Where a file format writes: a path (created or truncated) or an open stream such as stdout. */
export type OutputTarget = string | { stream: Writable; name: string };

/**
 * An append-only output with backpressure: `write` resolves once the stream can take more, so a
 * fast producer never piles up more than the stream's highWaterMark (64 KiB) in memory.
 */
export class FileOutput {
  readonly target: string;
  private readonly stream: Writable;
  private readonly ownsStream: boolean;
  private error: Error | undefined;
  private closed = false;
  bytes = 0;

  constructor(target: OutputTarget) {
    if (typeof target === 'string') {
      this.target = target;
      this.stream = createWriteStream(target, { flags: 'w', highWaterMark: 1 << 16 });
      this.ownsStream = true;
    } else {
      this.target = target.name;
      this.stream = target.stream;
      this.ownsStream = false;
    }
    this.stream.on('error', (error: Error) => { this.error ??= error; });
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    // Wait for the file to open, so a bad path fails the first write instead of later.
    if ((this.stream as { pending?: boolean }).pending) {
      await Promise.race([once(this.stream, 'ready'), once(this.stream, 'error')]).catch(() => undefined);
    }
    this.check();
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    this.bytes += size;
    if (!this.stream.write(chunk)) {
      await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
      this.check();
    }
  }

  /** Flushes and, for a path, closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsStream) {
      this.stream.end();
      await Promise.race([once(this.stream, 'finish'), once(this.stream, 'error')]).catch(() => undefined);
      if (!this.stream.closed) await once(this.stream, 'close').catch(() => undefined);
    } else if (this.stream.writableNeedDrain) {
      await once(this.stream, 'drain');
    }
    this.check();
  }

  private check(): void {
    if (this.error) throw new DebbieError('export_write_failed', `cannot write ${this.target}: ${this.error.message}`);
  }
}
