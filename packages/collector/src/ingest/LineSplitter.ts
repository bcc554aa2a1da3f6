/** Where a line was in the input, and whether it was cut. */
export interface LineInfo {
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** Set when the line was longer than the limit: its whole length in bytes (the text is cut). */
  cutFromBytes?: number;
}

/** Receives one over-long line as it streams (a JSON line parsed without holding it whole). */
export interface LongLineHandler {
  push(bytes: Buffer): void;
  /** The line ended (its newline, or the end of the input). */
  end(totalBytes: number): void;
}

export interface LineSplitterOptions {
  /** A line longer than this is cut here (one line, flagged, the rest skipped). Default 4 MiB. */
  maxLineBytes?: number;
  /**
   * Takes over a line once it is longer than maxLineBytes (instead of cutting it): gets the bytes
   * so far, then the rest of the line as it comes.
   */
  onLongLine?: (offset: number, head: Buffer) => LongLineHandler;
}

/** The end of `bytes` without a cut UTF-8 sequence (so a cut line does not end in U+FFFD). */
function utf8Boundary(bytes: Buffer): Buffer {
  let end = bytes.length;
  let back = 0;
  while (end - back - 1 >= 0 && back < 4 && (bytes[end - back - 1]! & 0xc0) === 0x80) back += 1;
  const lead = bytes[end - back - 1];
  if (lead === undefined || lead < 0xc0) return back === 0 ? bytes : bytes.subarray(0, end - back); // not a lead byte: leave as is
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (back + 1 < need) end -= back + 1;
  return bytes.subarray(0, end);
}

/**
 * Splits a byte stream into lines at `\n`, decoding each line as UTF-8 on its own (invalid bytes
 * become U+FFFD, so binary garbage stays in its line). Memory stays bounded whatever the input: a
 * line longer than maxLineBytes is either handed to `onLongLine` as it streams, or cut there and
 * emitted once, flagged with its real length, while the rest of it is skipped.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private readonly onLine: (line: string, info: LineInfo) => void;
  private readonly maxLineBytes: number;
  private readonly onLongLine: LineSplitterOptions['onLongLine'];
  /** Offset of the next byte pushed. */
  private position = 0;
  /** Offset where the current line began. */
  private lineStart = 0;
  /** Bytes of the current over-long line skipped so far (after its cut head). */
  private skipping = -1;
  private longLine: LongLineHandler | undefined;

  /** @param options a number is maxLineBytes (default 4 MiB). */
  constructor(onLine: (line: string, info: LineInfo) => void, options: number | LineSplitterOptions = {}) {
    const o = typeof options === 'number' ? { maxLineBytes: options } : options;
    this.onLine = onLine;
    this.maxLineBytes = o.maxLineBytes ?? 4 * 1024 * 1024;
    this.onLongLine = o.onLongLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      this.lineEnds(chunk.subarray(start, nl)); // advances the position past the newline
      start = nl + 1;
    }
    if (start < chunk.length) this.rest(chunk.subarray(start));
  }

  /** Emits what is left without a final newline. */
  end(): void {
    if (this.partialBytes > 0 || this.skipping >= 0 || this.longLine) this.lineEnds(Buffer.alloc(0), false);
  }

  /** Forgets a partial line (the file was truncated or replaced); the next byte pushed is at `offset`. */
  reset(offset = 0): void {
    this.partial = [];
    this.partialBytes = 0;
    this.skipping = -1;
    this.longLine = undefined;
    this.position = offset;
    this.lineStart = offset;
  }

  get hasPartial(): boolean {
    return this.partialBytes > 0 || this.skipping >= 0 || this.longLine !== undefined;
  }

  /** Bytes of a line with no newline yet. */
  private rest(bytes: Buffer): void {
    this.position += bytes.length;
    if (this.longLine) {
      this.longLine.push(bytes);
      return;
    }
    if (this.skipping >= 0) {
      this.skipping += bytes.length;
      return;
    }
    this.partial.push(Buffer.from(bytes)); // copy: the caller may reuse its buffer
    this.partialBytes += bytes.length;
    if (this.partialBytes > this.maxLineBytes) this.overLong();
  }

  /** The current line is over the limit: hand it over, or keep its head and skip the rest. */
  private overLong(): void {
    const head = Buffer.concat(this.partial, this.partialBytes);
    this.partial = [];
    this.partialBytes = 0;
    if (this.onLongLine) {
      this.longLine = this.onLongLine(this.lineStart, head);
      return;
    }
    this.partial = [head.subarray(0, this.maxLineBytes)];
    this.partialBytes = this.maxLineBytes;
    this.skipping = head.length - this.maxLineBytes;
  }

  /** A line ends with `tail` (the bytes before its newline in this chunk). */
  private lineEnds(tail: Buffer, newline = true): void {
    const offset = this.lineStart;
    if (this.longLine) {
      if (tail.length) this.longLine.push(tail);
      const total = this.position + tail.length - offset;
      const handler = this.longLine;
      this.longLine = undefined;
      this.advance(tail.length, newline);
      handler.end(total);
      return;
    }
    if (this.skipping >= 0) {
      const total = this.partialBytes + this.skipping + tail.length;
      const head = utf8Boundary(this.partial[0]!);
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = -1;
      this.advance(tail.length, newline);
      this.onLine(this.decoder.decode(head), { offset, cutFromBytes: total });
      return;
    }
    let bytes = tail;
    if (this.partialBytes > 0) {
      bytes = Buffer.concat([...this.partial, tail]);
      this.partial = [];
      this.partialBytes = 0;
    }
    if (bytes.length > this.maxLineBytes) {
      // Over the limit within one chunk.
      if (this.onLongLine) {
        const handler = this.onLongLine(offset, bytes);
        this.advance(tail.length, newline);
        handler.end(bytes.length);
        return;
      }
      this.advance(tail.length, newline);
      this.onLine(this.decoder.decode(utf8Boundary(bytes.subarray(0, this.maxLineBytes))), { offset, cutFromBytes: bytes.length });
      return;
    }
    this.advance(tail.length, newline);
    this.onLine(this.decoder.decode(bytes), { offset });
  }

  private advance(tailBytes: number, newline: boolean): void {
    this.position += tailBytes + (newline ? 1 : 0);
    this.lineStart = this.position;
  }
}
