import { AsyncResource } from 'node:async_hooks';
import type { Clock } from '@debbie/model';

export interface SimClockOptions {
  /** Simulated start time, epoch microseconds (default 2025-06-02T21:05:00Z, an AIWhisperer log day). */
  startUs?: number;
  /**
   * Event-loop turns (setImmediate) with no activity before the clock may jump to the next timer
   * (default 3). A loopback socket write is readable on the next poll, so 1 would do; 3 is margin.
   */
  idleTicks?: number;
  /**
   * Real milliseconds to wait for in-flight messages or holds before advancing anyway (default
   * 2,000), so a lost message can slow a run down but never hang it. Each forced advance is counted.
   */
  stuckAfterMs?: number;
  /**
   * Pace: simulated milliseconds per wall-clock millisecond (default Infinity: idle time jumps at
   * once). With a finite speed, a jump to the next timer first waits the matching wall time, so a
   * live watcher sees the simulation's silences (1 = real time, 10 = ten times faster).
   */
  speed?: number;
}

/** 2025-06-02T21:05:00.000Z in epoch microseconds. */
export const DEFAULT_SIM_START_US = Date.UTC(2025, 5, 2, 21, 5, 0) * 1000;

interface Timer {
  dueUs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A discrete-event clock: simulated time stands still while the process is busy and jumps to the
 * next due timer when it is idle. "Idle" means no hold is taken, no tracked socket message is in
 * flight, and a few event-loop turns passed with no activity. Timers fire one at a time, in
 * (due time, registration order), so any code that registers timers here — the simulator, the
 * commentary engine's stall timers — runs in simulated-time order and a run is deterministic.
 *
 * Why not a time-scaled real clock: scaled timers race with socket I/O and with each other, so two
 * runs with one seed would differ; the discrete-event clock makes them equal and is also faster.
 */
export class SimClock implements Clock {
  private nowUs: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private readonly idleTicks: number;
  private readonly stuckAfterMs: number;
  private holds = 0;
  /** Per directed channel: messages sent and received (see `messageSent`). */
  private readonly channels = new Map<string, { sent: number; received: number }>();
  private activity = 0;
  private running = false;
  private loopScheduled = false;
  private waitingSinceReal: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly speed: number;
  /** A paced jump under way: simulated time moves from `fromUs` to `toUs` as wall time passes. */
  private pacing: { timer: NodeJS.Timeout; wallStart: number; fromUs: number; toUs: number } | undefined;
  /** Advances forced because something stayed in flight longer than `stuckAfterMs`. */
  forcedAdvances = 0;
  /** Timer callbacks that threw (the error is reported on stderr; the clock keeps going). */
  timerErrors = 0;
  /** Timers fired so far. */
  firedTimers = 0;

  constructor(options: SimClockOptions = {}) {
    this.nowUs = options.startUs ?? DEFAULT_SIM_START_US;
    this.idleTicks = Math.max(1, options.idleTicks ?? 3);
    this.stuckAfterMs = options.stuckAfterMs ?? 2_000;
    const speed = options.speed ?? Number.POSITIVE_INFINITY;
    if (!(speed > 0)) throw new RangeError(`SimClock speed must be > 0, got ${speed}`);
    this.speed = speed;
  }

  /** Epoch microseconds of simulated time (during a paced jump, as far as wall time has carried it). */
  now(): number {
    const p = this.pacing;
    if (!p) return this.nowUs;
    return Math.max(this.nowUs, Math.min(p.toUs, p.fromUs + (performance.now() - p.wallStart) * 1000 * this.speed));
  }

  /** Epoch milliseconds of simulated time. */
  nowMs(): number {
    return this.now() / 1000;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    // Like setTimeout, the callback runs in the async context (OTel context) it was registered in.
    const bound = AsyncResource.bind(fn);
    const timer: Timer = { dueUs: this.now() + Math.max(0, delayMs) * 1000, seq: this.seq++, fn: bound, cancelled: false };
    this.push(timer);
    this.poke();
    return () => {
      timer.cancelled = true;
    };
  }

  /** Resolves after `ms` of simulated time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Stops simulated time until the returned release is called (idempotent). Use around real I/O. */
  hold(): () => void {
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.poke();
    };
  }

  /** Holds simulated time while `work` is pending. */
  async track<T>(work: Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await work;
    } finally {
      release();
    }
  }

  /**
   * Message accounting for sockets: the sender calls `messageSent(channel)`, the receiver
   * `messageReceived(channel)`, with one channel name per direction of a connection (e.g.
   * `c2s:<client port>`). Time does not advance while an open channel has more sent than received.
   */
  messageSent(channel: string): void {
    const c = this.channels.get(channel);
    if (c) c.sent += 1;
    this.markActivity();
  }

  messageReceived(channel: string): void {
    const c = this.channels.get(channel);
    if (c) c.received += 1;
    this.markActivity();
    this.poke();
  }

  /**
   * Starts counting a channel. Only channels whose BOTH ends report are opened (SimClient opens
   * its own); messages on other channels (a plain WebSocket from another component) only mark
   * activity, so an unreported receipt can never leave a message counted as in flight.
   */
  openChannel(channel: string): void {
    if (!this.channels.has(channel)) this.channels.set(channel, { sent: 0, received: 0 });
  }

  /** Forgets a channel (its connection closed), so unanswered counts cannot block time. */
  closeChannel(channel: string): void {
    this.channels.delete(channel);
    this.poke();
  }

  /** Something happened: the clock waits for a fresh run of idle turns before advancing. */
  markActivity(): void {
    this.activity += 1;
  }

  /** Starts advancing time automatically (idempotent). */
  start(): void {
    this.running = true;
    this.poke();
  }

  /** Stops advancing time; pending timers stay queued. */
  stop(): void {
    this.running = false;
    this.settlePacing(false);
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  /** Timers not yet fired (cancelled ones excluded). */
  get pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Resolves when no timer is pending and the process is idle (nothing left to simulate). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.poke();
    });
  }

  private inFlight(): number {
    let total = 0;
    for (const c of this.channels.values()) total += Math.max(0, c.sent - c.received);
    return total + this.holds;
  }

  private poke(): void {
    // Something happened mid-jump: keep the simulated time reached so far and decide again.
    if (this.pacing && this.running) this.settlePacing(false);
    if ((!this.running && this.idleWaiters.length === 0) || this.loopScheduled) return;
    this.loopScheduled = true;
    this.waitForQuiet(this.activity, 0);
  }

  private waitForQuiet(seenActivity: number, quietTurns: number): void {
    setImmediate(() => {
      if (this.activity !== seenActivity) return this.waitForQuiet(this.activity, 0);
      if (quietTurns + 1 < this.idleTicks) return this.waitForQuiet(seenActivity, quietTurns + 1);
      this.loopScheduled = false;
      this.step();
    });
  }

  /** One decision: fire the next timer, wait for in-flight work, or sleep until poked. */
  private step(): void {
    if (this.inFlight() > 0) {
      this.waitingSinceReal ??= Date.now();
      if (Date.now() - this.waitingSinceReal < this.stuckAfterMs) {
        // Poked again by the release/receive; the watchdog covers what never reports back.
        this.armWatchdog();
        return;
      }
      this.forcedAdvances += 1;
    }
    this.waitingSinceReal = undefined;
    this.dropCancelled();
    const next = this.heap[0];
    if (!next) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
      return;
    }
    if (!this.running) return;
    if (next.dueUs > this.nowUs && Number.isFinite(this.speed)) {
      this.pace(next.dueUs);
      return;
    }
    this.pop();
    this.nowUs = Math.max(this.nowUs, next.dueUs);
    this.firedTimers += 1;
    this.markActivity();
    try {
      next.fn();
    } catch (error) {
      this.timerErrors += 1;
      process.stderr.write(`SimClock: a timer callback threw: ${String((error as Error)?.stack ?? error)}\n`);
    }
    this.poke();
  }

  /** Lets the wall time of a jump to `toUs` pass (at `speed`), then decides again. */
  private pace(toUs: number): void {
    const fromUs = this.nowUs;
    const timer = setTimeout(
      () => {
        this.settlePacing(true);
        this.poke();
      },
      (toUs - fromUs) / 1000 / this.speed,
    );
    this.pacing = { timer, wallStart: performance.now(), fromUs, toUs };
  }

  /** Ends a paced jump: at its target when its wall time passed, else where wall time carried it. */
  private settlePacing(done: boolean): void {
    const p = this.pacing;
    if (!p) return;
    this.nowUs = done ? Math.max(this.nowUs, p.toUs) : this.now();
    clearTimeout(p.timer);
    this.pacing = undefined;
  }

  private armWatchdog(): void {
    if (this.watchdog) return;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      this.poke();
    }, this.stuckAfterMs + 5);
    this.watchdog.unref?.();
  }

  private dropCancelled(): void {
    while (this.heap[0]?.cancelled) this.pop();
  }

  // A binary min-heap on (dueUs, seq).
  private less(a: Timer, b: Timer): boolean {
    return a.dueUs < b.dueUs || (a.dueUs === b.dueUs && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
