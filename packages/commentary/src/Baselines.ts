/** A running mean per name (a tool, a model), as an exponentially weighted average. */
interface Baseline {
  mean: number;
  samples: number;
}

/**
 * Running baselines keyed by name, bounded: beyond `limit` names the oldest is forgotten (and
 * counted). The weight of a new sample is 1/n up to n = 10, then 0.1, so the baseline follows
 * drift without being dragged by one outlier.
 */
export class Baselines {
  private readonly map = new Map<string, Baseline>();
  forgotten = 0;

  constructor(private readonly limit = 1024) {}

  get(name: string): Baseline | undefined {
    return this.map.get(name);
  }

  /** Seeds a baseline from a declared expectation (e.g. a tool's usual_ms), counted as `weight` samples. */
  seed(name: string, value: number, weight: number): void {
    if (!this.map.has(name)) this.insert(name, { mean: value, samples: weight });
  }

  add(name: string, value: number): void {
    const b = this.map.get(name);
    if (!b) {
      this.insert(name, { mean: value, samples: 1 });
      return;
    }
    b.samples += 1;
    b.mean += (value - b.mean) / Math.min(b.samples, 10);
  }

  private insert(name: string, b: Baseline): void {
    if (this.map.size >= this.limit) {
      this.map.delete(this.map.keys().next().value as string);
      this.forgotten += 1;
    }
    this.map.set(name, b);
  }
}
