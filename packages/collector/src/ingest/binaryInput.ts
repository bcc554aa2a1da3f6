import { DebbieError } from '@debbie/model';

/**
 * Whether a file's first bytes are binary rather than text: more than 10% of its bytes are NUL or other
 * control characters (but tab, CR, LF, FF, ESC) or invalid UTF-8 (random bytes: about 50%; UTF-16 text: 50% NUL). One garbage line in a
 * text log is not binary (it is kept as a raw event); an image, archive or database file is.
 */
export function looksBinary(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  let odd = 0;
  for (const b of sample) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) odd += 1;
  // Invalid UTF-8 shows as U+FFFD after decoding (a sequence cut at the sample's end is not counted).
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample.subarray(0, Math.max(0, sample.length - 4)));
  for (const ch of text) if (ch === '\ufffd') odd += 1;
  return odd > sample.length * 0.1;
}

/** Throws `binary_input` when the sample is binary (see looksBinary). */
export function refuseBinary(sample: Buffer, path: string): void {
  if (looksBinary(sample)) {
    throw new DebbieError(
      'binary_input',
      'looks binary (over 10% of its first 64 KiB are NUL or control bytes or invalid UTF-8), not a log; pass --allow-binary to read it anyway as raw lines',
      path,
    );
  }
}
