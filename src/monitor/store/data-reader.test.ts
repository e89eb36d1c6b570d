import { afterEach, describe, expect, it } from 'vitest';
import type { Sample, SeriesMeta } from '../metric-types.js';
import { RAW_ROWS_MAX } from './data-reader.js';
import { MonitorStore } from './monitor-store.js';

const T0 = 1_700_000_040_000; // a whole minute

let store: MonitorStore | undefined;
afterEach(() => store?.close());

async function storeWith(samples: Sample[], keys = ['a', 'b']): Promise<MonitorStore> {
  store = await MonitorStore.openMemory();
  store.setInfo({ intervalMs: 1000, title: 't', startedAtMs: T0, version: '0' });
  const series: SeriesMeta[] = keys.map((key) => ({
    host: 'web1',
    key,
    label: key,
    chart: 'C',
    unit: '',
    tab: 'cpu',
    labels: {},
  }));
  store.addSeries(series);
  for (let at = 0; at < samples.length; at += 5000) store.addSamples(samples.slice(at, at + 5000));
  return store;
}

/** Sample `index` of a steady run: a = index, b = index * 10 (b only on even seconds). */
function sampleAt(index: number): Sample {
  const values: Record<string, number> = { a: index };
  if (index % 2 === 0) values.b = index * 10;
  return {
    host: 'web1',
    timestampMs: T0 + index * 1000,
    values,
    details: index === 3 ? { a: { why: 'three' } } : undefined,
  };
}

/** The averages the buckets should hold, computed from the samples one by one. */
function expectedAverages(samples: Sample[], fromMs: number, toMs: number, bucketMs: number) {
  const first = Math.floor(fromMs / bucketMs);
  const count = Math.floor(toMs / bucketMs) - first + 1;
  const sums = { a: new Array<number>(count).fill(0), b: new Array<number>(count).fill(0) };
  const counts = { a: new Array<number>(count).fill(0), b: new Array<number>(count).fill(0) };
  for (const sample of samples) {
    if (sample.timestampMs < fromMs || sample.timestampMs > toMs) continue;
    const bucket = Math.floor(sample.timestampMs / bucketMs) - first;
    for (const key of ['a', 'b'] as const) {
      const value = sample.values[key];
      if (value === undefined) continue;
      sums[key][bucket]! += value;
      counts[key][bucket]! += 1;
    }
  }
  const average = (key: 'a' | 'b') =>
    sums[key].map((sum, bucket) => (counts[key][bucket] === 0 ? null : sum / counts[key][bucket]!));
  return {
    timestamps: Array.from({ length: count }, (_, bucket) => (first + bucket) * bucketMs),
    a: average('a'),
    b: average('b'),
  };
}

describe('readData', () => {
  it('gives every sample, with details, when the range has at most maxPoints', async () => {
    const samples = Array.from({ length: 10 }, (_, index) => sampleAt(index));
    const data = (await storeWith(samples)).readData({ host: 'web1', maxPoints: 10 });
    expect(data.bucketMs).toBe(0);
    expect(data.timestamps).toEqual(samples.map((sample) => sample.timestampMs));
    expect(data.values['web1/b']).toEqual([0, null, 20, null, 40, null, 60, null, 80, null]);
    expect(data.details).toEqual({
      'web1/a': [null, null, null, { why: 'three' }, null, null, null, null, null, null],
    });
  });

  it('averages per bucket of whole intervals past maxPoints, without details, gaps as null', async () => {
    // 100 s of samples with seconds 40-69 missing (the host was down).
    const samples = Array.from({ length: 100 }, (_, index) => sampleAt(index)).filter(
      (sample) => sample.timestampMs < T0 + 40_000 || sample.timestampMs >= T0 + 70_000,
    );
    const data = (await storeWith(samples)).readData({ host: 'web1', maxPoints: 10 });
    expect(data.bucketMs).toBe(11_000);
    expect(data.details).toBeUndefined();
    const expected = expectedAverages(samples, T0, T0 + 99_000, 11_000);
    expect(data.timestamps).toEqual(expected.timestamps);
    expect(data.values).toEqual({ 'web1/a': expected.a, 'web1/b': expected.b });
    expect(data.values['web1/a']).toContain(null);
    expect(data.timestamps.length).toBeLessThanOrEqual(10);
  });

  it('reads minute rollups past RAW_ROWS_MAX samples, the partial minutes at the ends from samples', async () => {
    const samples = Array.from({ length: RAW_ROWS_MAX + 10_000 }, (_, index) => sampleAt(index));
    const reader = await storeWith(samples);
    for (const [fromMs, toMs] of [
      [T0, T0 + (samples.length - 1) * 1000],
      [T0 + 12_345, T0 + 25_000_500],
    ] as const) {
      const data = reader.readData({ host: 'web1', fromMs, toMs, maxPoints: 300 });
      expect(data.bucketMs).toBe(120_000);
      const expected = expectedAverages(samples, fromMs, toMs, 120_000);
      expect(data.timestamps).toEqual(expected.timestamps);
      expectClose(data.values['web1/a']!, expected.a);
      expectClose(data.values['web1/b']!, expected.b);
    }
  });

  it('keeps the rollups right when samples come out of order', async () => {
    const samples = Array.from({ length: RAW_ROWS_MAX + 1000 }, (_, index) => sampleAt(index));
    const shuffled = [
      ...samples.filter((_, index) => index % 3 === 0),
      ...samples.filter((_, index) => index % 3 !== 0),
    ];
    const data = (await storeWith(shuffled)).readData({ host: 'web1', maxPoints: 100 });
    const expected = expectedAverages(samples, T0, T0 + (samples.length - 1) * 1000, data.bucketMs);
    expect(data.bucketMs % 60_000).toBe(0);
    expectClose(data.values['web1/a']!, expected.a);
  });
});

function expectClose(actual: Array<number | null>, expected: Array<number | null>): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, index) => {
    const want = expected[index];
    if (want === null || want === undefined) expect(value).toBeNull();
    else expect(value).toBeCloseTo(want, 6);
  });
}
