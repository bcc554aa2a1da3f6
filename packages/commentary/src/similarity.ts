// Near-duplicate text in O(length) with a fixed-size summary: MinHash over word 2-shingles.
// Two steps are compared by their signatures alone (16 numbers each), so a session keeps a
// bounded ring of recent steps, never their text.

/** Hash functions per signature: the Jaccard estimate's standard error is ≈ 1/√K ≈ 0.12 at 0.5, less near 1. */
export const MINHASH_K = 16;
/** Characters of a text that are looked at (a prompt or observation can be megabytes). */
const MAX_CHARS = 800;
const SEEDS = new Uint32Array(MINHASH_K);
for (let k = 0, x = 0x9e3779b9; k < MINHASH_K; k++) {
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) ^ (k * 0x27d4eb2f);
  SEEDS[k] = x >>> 0;
}

function mix(h: number, seed: number): number {
  let x = (h ^ seed) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

/**
 * The MinHash signature of a text: lower-cased word tokens (digits folded to one token kind, so
 * "attempt 3" and "attempt 4" agree), 2-shingles, K minima. Empty text gives null.
 */
export function minhash(text: string): Uint32Array | null {
  const sig = new Uint32Array(MINHASH_K);
  return minhashInto(text, sig, 0) > 0 ? sig : null;
}

/** Distinct word tokens counted up to this many: enough to tell a step that says something from a bare header or "OK". */
export const DISTINCT_CAP = 8;
const distinctSeen = new Int32Array(DISTINCT_CAP);

/**
 * Writes the signature of `text` into `sig[offset … offset+K)` (no allocation). Returns how many
 * distinct word tokens the text has, counted up to DISTINCT_CAP (0: no words, no signature).
 * `foldDigits` false keeps numbers apart: in what an agent says, "lines 300–350" and "350–400"
 * ask for different things (in tool arguments, "attempt 3" and "attempt 4" are one retry).
 */
export function minhashInto(text: string, sig: Uint32Array, offset: number, foldDigits = true): number {
  const n = Math.min(text.length, MAX_CHARS);
  sig.fill(0xffffffff, offset, offset + MINHASH_K);
  let prev = 0;
  let shingles = 0;
  let tokens = 0;
  let distinct = 0;
  let i = 0;
  while (i < n) {
    while (i < n && !isWordChar(text.charCodeAt(i))) i++;
    if (i >= n) break;
    let h = 0x811c9dc5;
    let digits = true;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (!isWordChar(c)) break;
      if (c >= 65 && c <= 90) c += 32;
      if (c < 48 || c > 57) digits = false;
      h = Math.imul(h ^ c, 0x01000193);
      i++;
    }
    if (digits && foldDigits) h = 0x5f3759df;
    tokens++;
    if (distinct < DISTINCT_CAP) {
      let seen = false;
      for (let d = 0; d < distinct; d++) if (distinctSeen[d] === h) seen = true;
      if (!seen) distinctSeen[distinct++] = h;
    }
    if (tokens >= 2) {
      const s = (Math.imul(prev, 31) ^ h) >>> 0;
      for (let k = 0; k < MINHASH_K; k++) {
        const v = mix(s, SEEDS[k]!);
        if (v < sig[offset + k]!) sig[offset + k] = v;
      }
      shingles++;
    }
    prev = h;
  }
  if (tokens === 0) return 0;
  if (shingles === 0) for (let k = 0; k < MINHASH_K; k++) sig[offset + k] = mix(prev, SEEDS[k]!);
  return distinct;
}

/** Estimated Jaccard similarity of the signatures at `a[ao…]` and `b[bo…]`. */
export function similarityAt(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  let same = 0;
  for (let k = 0; k < MINHASH_K; k++) if (a[ao + k] === b[bo + k]) same++;
  return same / MINHASH_K;
}

/** Estimated Jaccard similarity of two signatures (0..1); 0 when either is missing. */
export function similarity(a: Uint32Array | null, b: Uint32Array | null): number {
  if (a === null || b === null) return 0;
  let same = 0;
  for (let k = 0; k < MINHASH_K; k++) if (a[k] === b[k]) same++;
  return same / MINHASH_K;
}
