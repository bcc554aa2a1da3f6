import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Bytes of the first line that make a file's identity. */
export const IDENTITY_BYTES = 4096;

/**
 * A file's identity from its content: the hash of its first line (at most 4 KiB of it). It survives
 * renames, rotation and copies (unlike a path or an inode) and stays the same while the file grows,
 * so the ids made from it let a second ingest or a resumed `--follow` recognise records already
 * stored. An empty file, or one whose first line is not complete yet, has the identity of what is there.
 */
export async function fileIdentity(fh: FileHandle): Promise<string> {
  return (await fileIdentityNow(fh)).key;
}

/** The identity, and whether it is final (the first line is complete, or 4 KiB of it are there). */
export async function fileIdentityNow(fh: FileHandle): Promise<{ key: string; final: boolean }> {
  const head = await firstBytes(fh, IDENTITY_BYTES);
  const nl = head.indexOf(0x0a);
  const key = createHash('sha256')
    .update(nl >= 0 ? head.subarray(0, nl) : head)
    .digest('hex')
    .slice(0, 32);
  return { key, final: nl >= 0 || head.length >= IDENTITY_BYTES };
}

/** The first `n` bytes of a file (fewer if it is shorter). */
export async function firstBytes(fh: FileHandle, n: number): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const { bytesRead } = await fh.read(buf, got, n - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
