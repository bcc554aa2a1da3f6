import type { SessionState } from './SessionState.js';

interface Entry {
  dueUs: number;
  session: SessionState;
  detector: number;
}

/**
 * A binary min-heap of (due time, session, detector). Detectors keep at most one live deadline
 * per session, so the heap holds at most sessions × timed detectors; stale entries (a session
 * evicted, a deadline superseded) are dropped when they surface. Bounded by `limit`.
 */
export class DeadlineQueue {
  private readonly heap: Entry[] = [];
  dropped = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.heap.length;
  }

  peekDue(): number | undefined {
    return this.heap[0]?.dueUs;
  }

  push(dueUs: number, session: SessionState, detector: number): boolean {
    if (this.heap.length >= this.limit) {
      this.dropped += 1;
      return false;
    }
    const h = this.heap;
    h.push({ dueUs, session, detector });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.dueUs <= h[i]!.dueUs) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
    return true;
  }

  /** Removes and returns the earliest entry due at or before `nowUs`. */
  popDue(nowUs: number): Entry | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0]!.dueUs > nowUs) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.dueUs < h[m]!.dueUs) m = l;
        if (r < h.length && h[r]!.dueUs < h[m]!.dueUs) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
