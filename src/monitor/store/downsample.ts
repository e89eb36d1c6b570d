/**
 * Downsampling for wide time ranges: points are averaged per time bucket. Buckets start at whole
 * multiples of their width since the epoch, so the same range always gives the same buckets (a
 * live chart that refetches does not shimmer), and every bucket of the range is returned, an
 * empty one as nulls, so a gap in the data stays a gap in the chart.
 */

/**
 * The bucket width for `maxPoints` buckets over `[fromMs, toMs]`, rounded up to a whole number of
 * `stepMs` (the tick interval, or the rollup width). Aligned buckets over a range of `r` ms number
 * at most `ceil(r / width) + 1`, hence the division by `maxPoints - 1`.
 * @example chooseBucketMs(0, 86_399_000, 2000, 1000) // 44_000
 */
export function chooseBucketMs(
  fromMs: number,
  toMs: number,
  maxPoints: number,
  stepMs: number,
): number {
  const rangeMs = Math.max(0, toMs - fromMs);
  const widthMs = rangeMs / Math.max(1, maxPoints - 1);
  return Math.max(stepMs, Math.ceil(widthMs / stepMs) * stepMs);
}

/** Averages of each series per bucket, by series ordinal. */
export interface BucketColumns {
  /** Bucket starts, ms. */
  timestamps: number[];
  /** By series ordinal: the average per bucket, null where the bucket has no point. */
  columns: Array<Array<number | null>>;
}

/** Sums and counts per series and bucket over a range, filled point by point or by rollups. */
export class BucketAccumulator {
  private readonly firstBucket: number;
  private readonly bucketCount: number;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    fromMs: number,
    toMs: number,
    private readonly bucketMs: number,
    private readonly seriesCount: number,
  ) {
    this.firstBucket = Math.floor(fromMs / bucketMs);
    this.bucketCount = Math.max(0, Math.floor(toMs / bucketMs) - this.firstBucket + 1);
    this.sums = new Float64Array(this.bucketCount * seriesCount);
    this.counts = new Float64Array(this.bucketCount * seriesCount);
  }

  /** Adds `count` points summing to `sum` of series `ordinal` at `timestampMs`. */
  add(timestampMs: number, ordinal: number, sum: number, count = 1): void {
    const bucket = Math.floor(timestampMs / this.bucketMs) - this.firstBucket;
    if (ordinal < 0 || ordinal >= this.seriesCount || bucket < 0 || bucket >= this.bucketCount) {
      return;
    }
    const cell = ordinal * this.bucketCount + bucket;
    this.sums[cell] = (this.sums[cell] ?? 0) + sum;
    this.counts[cell] = (this.counts[cell] ?? 0) + count;
  }

  /** The bucket starts and each series' averages. */
  result(): BucketColumns {
    const timestamps: number[] = [];
    for (let bucket = 0; bucket < this.bucketCount; bucket++) {
      timestamps.push((this.firstBucket + bucket) * this.bucketMs);
    }
    const columns: Array<Array<number | null>> = [];
    for (let ordinal = 0; ordinal < this.seriesCount; ordinal++) {
      columns.push(this.averagesOf(ordinal));
    }
    return { timestamps, columns };
  }

  private averagesOf(ordinal: number): Array<number | null> {
    const averages: Array<number | null> = [];
    const offset = ordinal * this.bucketCount;
    for (let bucket = 0; bucket < this.bucketCount; bucket++) {
      const count = this.counts[offset + bucket] ?? 0;
      averages.push(count === 0 ? null : (this.sums[offset + bucket] ?? 0) / count);
    }
    return averages;
  }
}
