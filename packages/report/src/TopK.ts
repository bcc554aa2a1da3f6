/**
 * Keeps the k items with the largest score seen so far, in O(log k) per offer and O(k) memory
 * (a binary min-heap: the root is the smallest of the kept items, the one to evict first).
 */
export class TopK<T> {
  private readonly scores: number[] = [];
  private readonly items: T[] = [];

  constructor(private readonly k: number) {}

  /** The smallest kept score once full; anything at or below it is rejected without work. */
  get threshold(): number {
    return this.scores.length < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  offer(score: number, make: () => T): void {
    if (this.k <= 0) return;
    if (this.scores.length < this.k) {
      this.scores.push(score);
      this.items.push(make());
      this.siftUp(this.scores.length - 1);
    } else if (score > this.scores[0]!) {
      this.scores[0] = score;
      this.items[0] = make();
      this.siftDown(0);
    }
  }

  /** Kept items, largest score first. */
  sorted(): T[] {
    return this.scores
      .map((s, i) => [s, this.items[i]!] as const)
      .sort((a, b) => b[0] - a[0])
      .map(([, item]) => item);
  }

  private swap(a: number, b: number): void {
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.scores[p]! <= this.scores[i]!) return;
      this.swap(p, i);
      i = p;
    }
  }

  private siftDown(i: number): void {
    const n = this.scores.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.scores[l]! < this.scores[m]!) m = l;
      if (r < n && this.scores[r]! < this.scores[m]!) m = r;
      if (m === i) return;
      this.swap(m, i);
      i = m;
    }
  }
}
