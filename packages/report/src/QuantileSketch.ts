/** Options for a QuantileSketch. */
export interface QuantileSketchOptions {
  /** Relative accuracy of every quantile (default 0.01: the answer is within ±1% of a true sample value). */
  relativeAccuracy?: number;
  /** Smallest value told apart from zero (default 0.001, i.e. 1 µs when values are milliseconds). */
  minValue?: number;
  /** Largest value kept in its own bucket (default 1e9); larger values share the top bucket, max stays exact. */
  maxValue?: number;
}

/**
 * A fixed-size quantile sketch with logarithmic buckets (the DDSketch idea): every quantile it
 * returns is within `relativeAccuracy` of the true value, memory is a fixed array (≈ 1,400
 * counters at the defaults) however many values are added, and count, sum, min and max are exact.
 */
export class QuantileSketch {
  private readonly gamma: number;
  private readonly logGamma: number;
  private readonly minValue: number;
  private readonly offset: number;
  private readonly counts: Float64Array;
  private zeroCount = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(options: QuantileSketchOptions = {}) {
    const alpha = options.relativeAccuracy ?? 0.01;
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`relativeAccuracy must be in (0, 1), got ${alpha}`);
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
    this.minValue = options.minValue ?? 0.001;
    const maxValue = options.maxValue ?? 1e9;
    const lo = Math.ceil(Math.log(this.minValue) / this.logGamma);
    const hi = Math.ceil(Math.log(maxValue) / this.logGamma);
    this.offset = -lo;
    this.counts = new Float64Array(hi - lo + 1);
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < this.minValue) {
      this.zeroCount += 1;
      return;
    }
    let i = Math.ceil(Math.log(value) / this.logGamma) + this.offset;
    if (i < 0) i = 0;
    else if (i >= this.counts.length) i = this.counts.length - 1;
    this.counts[i]! += 1;
  }

  /** The q-quantile (0 ≤ q ≤ 1), or NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = q * (this.count - 1);
    let seen = this.zeroCount;
    if (rank < seen) return Math.max(this.min, 0);
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen > rank) {
        const upper = this.gamma ** (i - this.offset);
        const estimate = (2 * upper) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }
}
