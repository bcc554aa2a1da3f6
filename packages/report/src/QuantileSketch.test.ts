import { describe, expect, it } from 'vitest';
import { QuantileSketch } from './QuantileSketch.js';

/** A deterministic PRNG so the test is reproducible. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('QuantileSketch', () => {
  it('answers p50 and p95 within 1% of a true sample value on a skewed distribution', () => {
    const rnd = mulberry32(7);
    const s = new QuantileSketch();
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const v = Math.exp(rnd() * 10) * 0.5; // 0.5 ms .. 11 s, log-uniform
      values.push(v);
      s.add(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const rank = q * (values.length - 1);
      const lo = values[Math.floor(rank)]! * 0.99;
      const hi = values[Math.ceil(rank)]! * 1.01;
      const got = s.quantile(q);
      expect(got).toBeGreaterThanOrEqual(lo);
      expect(got).toBeLessThanOrEqual(hi);
    }
    expect(s.max).toBe(values[values.length - 1]);
    expect(s.min).toBe(values[0]);
    expect(s.count).toBe(50_000);
  });

  it('keeps exact count, sum and max, and handles zeros and values past its range', () => {
    const s = new QuantileSketch({ maxValue: 1000 });
    for (const v of [0, 0, 0, 5, 1e7]) s.add(v);
    expect(s.count).toBe(5);
    expect(s.sum).toBe(1e7 + 5);
    expect(s.quantile(0.5)).toBe(0);
    expect(s.quantile(1)).toBe(1e7);
    expect(s.quantile(0.99)).toBeLessThanOrEqual(1e7);
  });

  it('returns NaN when empty and ignores non-finite values', () => {
    const s = new QuantileSketch();
    s.add(Number.NaN);
    s.add(Number.POSITIVE_INFINITY);
    expect(s.count).toBe(0);
    expect(Number.isNaN(s.quantile(0.5))).toBe(true);
  });
});
