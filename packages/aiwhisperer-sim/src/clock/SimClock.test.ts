import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM_START_US, SimClock } from './SimClock.js';

describe('SimClock', () => {
  it('fires timers in simulated-time order and advances now() to each due time', async () => {
    const clock = new SimClock();
    const fired: [string, number][] = [];
    clock.setTimer(45_000, () => fired.push(['stall', clock.now()]));
    clock.setTimer(10, () => fired.push(['tool', clock.now()]));
    clock.setTimer(10, () => fired.push(['tool-2', clock.now()]));
    clock.start();
    await clock.whenIdle();
    clock.stop();
    expect(fired).toEqual([
      ['tool', DEFAULT_SIM_START_US + 10_000],
      ['tool-2', DEFAULT_SIM_START_US + 10_000],
      ['stall', DEFAULT_SIM_START_US + 45_000_000],
    ]);
  });

  it('lets timers registered by other code interleave with its own (a commentary stall timer)', async () => {
    const clock = new SimClock({ startUs: 0 });
    const order: string[] = [];
    clock.start();
    const sim = (async () => {
      await clock.sleep(1_000);
      order.push('tool done');
      await clock.sleep(45_000);
      order.push('user nudges');
    })();
    clock.setTimer(31_000, () => order.push('stall timer'));
    await sim;
    clock.stop();
    expect(order).toEqual(['tool done', 'stall timer', 'user nudges']);
    expect(clock.now()).toBe(46_000_000);
  });

  it('does not advance while a hold is taken, then continues', async () => {
    const clock = new SimClock({ startUs: 0 });
    let fired = false;
    clock.setTimer(5_000, () => {
      fired = true;
    });
    const release = clock.hold();
    clock.start();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(fired).toBe(false);
    expect(clock.now()).toBe(0);
    release();
    await clock.whenIdle();
    clock.stop();
    expect(fired).toBe(true);
  });

  it('waits for a message counted on an open channel until it is received', async () => {
    const clock = new SimClock({ startUs: 0 });
    clock.openChannel('c2s:1');
    clock.messageSent('c2s:1');
    let fired = false;
    clock.setTimer(1, () => {
      fired = true;
    });
    clock.start();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(fired).toBe(false);
    clock.messageReceived('c2s:1');
    await clock.whenIdle();
    clock.stop();
    expect(fired).toBe(true);
  });

  it('ignores receipts on channels nobody opened (a plain WebSocket from another component)', async () => {
    const clock = new SimClock({ startUs: 0 });
    clock.messageReceived('c2s:9');
    clock.messageSent('s2c:9');
    let fired = false;
    clock.setTimer(1, () => {
      fired = true;
    });
    clock.start();
    await clock.whenIdle();
    clock.stop();
    expect(fired).toBe(true);
  });

  it('cancels timers', async () => {
    const clock = new SimClock({ startUs: 0 });
    let fired = false;
    const cancel = clock.setTimer(100, () => {
      fired = true;
    });
    cancel();
    clock.start();
    await clock.whenIdle();
    clock.stop();
    expect(fired).toBe(false);
    expect(clock.now()).toBe(0);
  });

  it('runs a timer callback in the async context it was registered in', async () => {
    const als = new AsyncLocalStorage<string>();
    const clock = new SimClock({ startUs: 0 });
    let seen: string | undefined;
    als.run('turn-7', () =>
      clock.setTimer(10, () => {
        seen = als.getStore();
      }),
    );
    clock.start();
    await clock.whenIdle();
    clock.stop();
    expect(seen).toBe('turn-7');
  });

  it('keeps going when a timer callback throws, and counts it', async () => {
    const clock = new SimClock({ startUs: 0 });
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let after = false;
    try {
      clock.setTimer(1, () => {
        throw new Error('boom');
      });
      clock.setTimer(2, () => {
        after = true;
      });
      clock.start();
      await clock.whenIdle();
    } finally {
      process.stderr.write = stderr;
      clock.stop();
    }
    expect(clock.timerErrors).toBe(1);
    expect(after).toBe(true);
  });

  it('with a speed, lets the wall time of a jump pass: simulated time moves with it and fires in the same order', async () => {
    const clock = new SimClock({ startUs: 0, speed: 1 });
    const order: string[] = [];
    clock.setTimer(60_000, () => order.push('late'));
    clock.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // real time, not a jump: some simulated time passed, far from the minute
    const mid = clock.now();
    expect(mid).toBeGreaterThan(0);
    expect(mid).toBeLessThan(60_000_000);
    // a timer registered mid-jump counts from the time reached, and fires before the later one
    clock.setTimer(5, () => order.push('early'));
    await new Promise((resolve) => clock.setTimer(10, () => resolve(undefined)));
    expect(order).toEqual(['early']);
    expect(clock.now()).toBeGreaterThanOrEqual(mid + 10_000);
    clock.stop();
    expect(clock.pendingTimers).toBe(1);
  });

  it('rejects a speed that is not positive', () => {
    expect(() => new SimClock({ speed: 0 })).toThrow(/speed/);
  });
});
