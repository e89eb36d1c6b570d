import { describe, expect, it } from 'vitest';
import { BucketAccumulator, chooseBucketMs } from './downsample.js';

describe('chooseBucketMs', () => {
  it('rounds the width up to a whole number of steps, so that at most maxPoints buckets cover the range', () => {
    expect(chooseBucketMs(0, 86_399_000, 2000, 1000)).toBe(44_000);
    expect(chooseBucketMs(0, 86_399_000, 2000, 60_000)).toBe(60_000);
    expect(chooseBucketMs(0, 99_000, 10, 1000)).toBe(11_000);
    expect(chooseBucketMs(5, 5, 10, 1000)).toBe(1000);
  });

  it('never gives more than maxPoints aligned buckets', () => {
    for (const [fromMs, toMs, maxPoints, stepMs] of [
      [1_700_000_000_500, 1_700_086_400_000, 2000, 1000],
      [7, 1_000_007, 3, 1],
      [123_456, 9_876_543, 100, 2000],
    ] as const) {
      const bucketMs = chooseBucketMs(fromMs, toMs, maxPoints, stepMs);
      const buckets = Math.floor(toMs / bucketMs) - Math.floor(fromMs / bucketMs) + 1;
      expect(buckets).toBeLessThanOrEqual(maxPoints);
      expect(bucketMs % stepMs).toBe(0);
    }
  });
});

describe('BucketAccumulator', () => {
  it('averages points per aligned bucket, with null where a bucket has none', () => {
    const buckets = new BucketAccumulator(1000, 5999, 2000, 2);
    buckets.add(1000, 0, 1);
    buckets.add(1999, 0, 3);
    buckets.add(1500, 1, 10);
    buckets.add(5000, 0, 30, 3); // a rollup: three points summing to 30
    buckets.add(6000, 0, 99); // past the range
    buckets.add(1000, 2, 99); // an ordinal past the series
    expect(buckets.result()).toEqual({
      timestamps: [0, 2000, 4000],
      columns: [
        [2, null, 10],
        [10, null, null],
      ],
    });
  });
});
