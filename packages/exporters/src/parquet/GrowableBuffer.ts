/** An append-only byte buffer that doubles when full: values are written in place, no allocation per value. */
export class GrowableBuffer {
  buf: Buffer;
  length = 0;

  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** A Parquet PLAIN BYTE_ARRAY: 4-byte little-endian length, then the UTF-8 bytes. */
  writeByteArray(text: string): void {
    this.ensure(4 + text.length * 3);
    const n = this.buf.write(text, this.length + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.length);
    this.length += 4 + n;
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  /** An INT64 from a safe integer (epoch microseconds fit easily). */
  writeInt64(value: number): void {
    this.ensure(8);
    const high = Math.floor(value / 4294967296);
    this.buf.writeUInt32LE(value - high * 4294967296, this.length);
    this.buf.writeInt32LE(high, this.length + 4);
    this.length += 8;
  }

  writeUInt32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value, this.length);
    this.length += 4;
  }

  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
