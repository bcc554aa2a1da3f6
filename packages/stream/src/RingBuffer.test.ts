import { describe, expect, it } from 'vitest';
import { RingBuffer } from './RingBuffer.js';

describe('RingBuffer', () => {
  it('keeps the newest items in order and reports each overwrite of the oldest', () => {
    const ring = new RingBuffer<number>(3);
    expect([1, 2, 3].map((n) => ring.push(n))).toEqual([false, false, false]);
    expect(ring.push(4)).toBe(true);
    expect(ring.push(5)).toBe(true);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
  });

  it('shifts oldest first and wraps around the end of its storage', () => {
    const ring = new RingBuffer<number>(2);
    ring.push(1);
    ring.push(2);
    ring.push(3);
    expect(ring.shift()).toBe(2);
    ring.push(4);
    expect(ring.shift()).toBe(3);
    expect(ring.shift()).toBe(4);
    expect(ring.shift()).toBeUndefined();
    expect(ring.size).toBe(0);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(/positive integer, got 0/);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});
