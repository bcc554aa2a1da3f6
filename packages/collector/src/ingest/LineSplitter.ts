/**
 * Splits a byte stream into lines at `\n`, decoding each line as UTF-8 on its own (invalid bytes
 * become U+FFFD, so binary garbage stays in its line). A line longer than maxLineBytes is cut
 * there, so memory stays bounded whatever the input.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private readonly onLine: (line: string) => void;
  private readonly maxLineBytes: number;

  /** @param maxLineBytes default 4 MiB. */
  constructor(onLine: (line: string) => void, maxLineBytes = 4 * 1024 * 1024) {
    this.onLine = onLine;
    this.maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      this.emit(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partial.push(Buffer.from(rest)); // copy: the caller may reuse its buffer
      this.partialBytes += rest.length;
      if (this.partialBytes >= this.maxLineBytes) this.emit(Buffer.alloc(0));
    }
  }

  /** Emits what is left without a final newline. */
  end(): void {
    if (this.partialBytes > 0) this.emit(Buffer.alloc(0));
  }

  /** Forgets a partial line (the file was truncated or replaced). */
  reset(): void {
    this.partial = [];
    this.partialBytes = 0;
  }

  get hasPartial(): boolean {
    return this.partialBytes > 0;
  }

  private emit(tail: Buffer): void {
    let bytes = tail;
    if (this.partialBytes > 0) {
      bytes = Buffer.concat([...this.partial, tail]);
      this.reset();
    }
    this.onLine(this.decoder.decode(bytes));
  }
}
