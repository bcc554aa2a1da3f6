import { open, type FileHandle } from 'node:fs/promises';
import { ByteWriter } from 'hyparquet-writer';

/**
 * hyparquet-writer's byte sink, flushed to a file asynchronously after each row group (the
 * library awaits `flush`), so memory holds about one encoded row group and the event loop is
 * never blocked by synchronous file writes.
 */
export class AsyncFileWriter extends ByteWriter {
  private constructor(private readonly handle: FileHandle) {
    super(1 << 20);
  }

  static async create(path: string): Promise<AsyncFileWriter> {
    return new AsyncFileWriter(await open(path, 'w'));
  }

  async flush(): Promise<void> {
    let pos = 0;
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    while (pos < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, pos, bytes.length - pos);
      pos += bytesWritten;
    }
    this.index = 0;
  }

  override async finish(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes the file without writing the rest (after a failure). */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
