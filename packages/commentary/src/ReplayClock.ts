import type { Clock } from '@debbie/model';

interface Timer {
  dueUs: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock advanced by hand. Replaying recorded events (a file, a store query) through the
 * CommentaryProcessor, call `advanceTo(event time)` before each `write` so stall timers fire in
 * the recording's time, then `advanceTo(end)` to let trailing silences count.
 *
 * @example
 * const clock = new ReplayClock(firstEventMicros);
 * const commentary = new CommentaryProcessor({ clock, onComment: (c) => comments.push(c) });
 * for (const e of events) { clock.advanceTo(epochMicros(e.timestamp)); commentary.write(e); }
 */
export class ReplayClock implements Clock {
  private nowUs: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(startUs: number) {
    this.nowUs = startUs;
  }

  now(): number {
    return this.nowUs;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const timer: Timer = { dueUs: this.nowUs + Math.max(0, delayMs) * 1000, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward to `us` (never back), firing due timers in (due, registration) order at their due time. */
  advanceTo(us: number): void {
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.dueUs <= us && (next === undefined || t.dueUs < next.dueUs || (t.dueUs === next.dueUs && t.seq < next.seq))) next = t;
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.nowUs = Math.max(this.nowUs, next.dueUs);
      next.fn();
    }
    this.nowUs = Math.max(this.nowUs, us);
  }

  /**
   * Moves time back to `us` without firing anything: for a recording that begins before the
   * clock (a second file, an older run). Pending timers keep their due times, all later than `us`.
   */
  rewindTo(us: number): void {
    if (us < this.nowUs) this.nowUs = us;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.nowUs + ms * 1000);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }
}
