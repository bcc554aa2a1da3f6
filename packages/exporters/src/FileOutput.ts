import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { DebbieError } from '@debbie/model';

/** Where a file format writes: a path (created or truncated) or an open stream such as stdout. */
export type OutputTarget = string | { stream: Writable; name: string };

/**
 * An append-only output with backpressure: `write` resolves once the stream can take more, so a
 * fast producer never piles up more than the stream's highWaterMark (64 KiB) in memory.
 * A path is opened on the first write, so a failure before it (say, the store cannot be read)
 * leaves an existing file untouched.
 */
export class FileOutput {
  readonly target: string;
  private stream: Writable | undefined;
  private readonly path: string | undefined;
  private error: Error | undefined;
  private closed = false;
  bytes = 0;

  constructor(target: OutputTarget) {
    if (typeof target === 'string') {
      this.target = target;
      this.path = target;
    } else {
      this.target = target.name;
      this.stream = this.watch(target.stream);
    }
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    const stream = await this.open();
    this.check();
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    this.bytes += size;
    if (!stream.write(chunk)) {
      await untilEither(stream, 'drain', 'error');
      this.check();
    }
  }

  /** Flushes and, for a path, closes the file (creating it if nothing was written). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    const stream = await this.open();
    this.closed = true;
    if (this.path !== undefined) {
      stream.end();
      await untilEither(stream, 'finish', 'error');
      if (!stream.closed) await once(stream, 'close').catch(() => undefined);
    } else if (stream.writableNeedDrain) {
      await untilEither(stream, 'drain', 'error');
    }
    this.check();
  }

  private async open(): Promise<Writable> {
    if (this.stream) return this.stream;
    const stream = this.watch(createWriteStream(this.path!, { flags: 'w', highWaterMark: 1 << 16 }));
    this.stream = stream;
    // Wait for the file to open, so a bad path fails the first write instead of later.
    await untilEither(stream, 'ready', 'error');
    return stream;
  }

  private watch(stream: Writable): Writable {
    stream.on('error', (error: Error) => {
      this.error ??= error;
    });
    return stream;
  }

  private check(): void {
    if (this.error) throw new DebbieError('export_write_failed', `cannot write ${this.target}: ${this.error.message}`);
  }
}

/**
 * Waits for the first of two events and removes the listener of the other: a bare
 * Promise.race of two once() calls leaves one listener behind per wait, and a long export
 * waits thousands of times (MaxListenersExceededWarning).
 */
async function untilEither(stream: Writable, a: string, b: string): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(stream, a, { signal: done.signal }), once(stream, b, { signal: done.signal })]);
  } catch {
    // the error itself is kept by watch(); an abort is ours
  } finally {
    done.abort();
  }
}
