/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same session ids, tool-call
 * ids and timing jitter, so a scenario run can be repeated exactly.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (seed >>> 0) ^ 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** A version-4 UUID drawn from this source. */
  uuid4(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** An Anthropic-style tool-call id, as AIWhisperer logs them (`toolu_` + 24 base62 chars). */
  toolCallId(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = 'toolu_';
    for (let i = 0; i < 24; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** `ms` varied by up to ±`fraction` (0 → exactly `ms`). */
  jitter(ms: number, fraction: number): number {
    if (fraction <= 0) return ms;
    return Math.max(0, Math.round(ms * (1 + (this.next() * 2 - 1) * fraction)));
  }

  /** A new independent source derived from this one (e.g. one per session). */
  fork(): Random {
    return new Random(Math.floor(this.next() * 4294967296));
  }
}
