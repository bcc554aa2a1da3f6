/**
 * Time as Debbie's parts see it. Live, it is the system clock; in the simulator it is simulated
 * time, so that a 45 s stall is recorded as 45 s and noticed by timers without taking 45 s.
 */
export interface Clock {
  /** Epoch microseconds. */
  now(): number;
  /** Calls `fn` once after `delayMs` of this clock's time; returns a function that cancels it. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

/** Fixed for the life of the process; read once (the getter allocates a number on every call). */
const TIME_ORIGIN_MS = performance.timeOrigin;

/** Wall-clock time; timers are unref'd so they never keep a process alive. */
export const systemClock: Clock = {
  now: () => (TIME_ORIGIN_MS + performance.now()) * 1000,
  setTimer(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};
