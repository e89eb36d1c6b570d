import { describe, expect, it } from 'vitest';
import type { MetricParser, MetricReading } from './metric-types.js';
import { toHostSample } from './tick-readings.js';

const queue: MetricParser = {
  name: 'queue',
  command: 'cat /run/queue',
  tab: 'app',
  chart: 'Queue',
  unit: 'jobs',
  parse: () => [],
};
const bare: MetricParser = { name: 'bare', command: 'true', parse: () => [] };

function readings(entries: Record<string, MetricReading[]>): Map<string, MetricReading[]> {
  return new Map(Object.entries(entries));
}

describe('toHostSample', () => {
  it('announces each key once, placed by the reading, else its parser, else defaults', () => {
    const known = new Set<string>();
    const first = toHostSample(
      'db1',
      1000,
      [queue, bare],
      readings({
        queue: [
          { key: 'queue.depth', value: 3 },
          {
            key: 'queue.age',
            value: 1.5,
            unit: 's',
            chart: 'Age',
            label: 'age',
            labels: { q: 'a' },
          },
        ],
        bare: [{ key: 'x', value: 0, detail: { why: 'test' } }],
      }),
      known,
    );
    expect(first.newSeries).toEqual([
      {
        host: 'db1',
        key: 'queue.depth',
        label: 'queue.depth',
        labels: {},
        tab: 'app',
        chart: 'Queue',
        unit: 'jobs',
      },
      {
        host: 'db1',
        key: 'queue.age',
        label: 'age',
        labels: { q: 'a' },
        tab: 'app',
        chart: 'Age',
        unit: 's',
      },
      { host: 'db1', key: 'x', label: 'x', labels: {}, tab: 'custom', chart: 'bare', unit: '' },
    ]);
    expect(first.sample).toEqual({
      host: 'db1',
      timestampMs: 1000,
      values: { 'queue.depth': 3, 'queue.age': 1.5, x: 0 },
      details: { x: { why: 'test' } },
    });
    const second = toHostSample(
      'db1',
      2000,
      [queue],
      readings({ queue: [{ key: 'queue.depth', value: 4 }] }),
      known,
    );
    expect(second.newSeries).toEqual([]);
    expect(second.sample).toEqual({ host: 'db1', timestampMs: 2000, values: { 'queue.depth': 4 } });
  });

  it('refuses values that are no finite number and keys that are empty, keeping the rest', () => {
    const result = toHostSample(
      'db1',
      1000,
      [queue],
      readings({
        queue: [
          { key: 'queue.depth', value: Number.NaN },
          { key: '', value: 1 },
          { key: 'queue.age', value: 2 },
        ],
      }),
      new Set(),
    );
    expect(result.invalid).toEqual([
      { parser: 'queue', message: 'the value of "queue.depth" is not a finite number: NaN' },
      { parser: 'queue', message: 'a reading has no key (value 1)' },
    ]);
    expect(result.newSeries.map((series) => series.key)).toEqual(['queue.age']);
    expect(result.sample?.values).toEqual({ 'queue.age': 2 });
  });

  it('gives no sample when nothing was read, and keeps the first value of a key read twice', () => {
    expect(toHostSample('db1', 1000, [queue], readings({}), new Set()).sample).toBeUndefined();
    const twice = toHostSample(
      'db1',
      1000,
      [queue, bare],
      readings({ queue: [{ key: 'k', value: 1 }], bare: [{ key: 'k', value: 2 }] }),
      new Set(),
    );
    expect(twice.sample?.values).toEqual({ k: 1 });
    expect(twice.newSeries.map((series) => series.chart)).toEqual(['Queue']);
  });
});
