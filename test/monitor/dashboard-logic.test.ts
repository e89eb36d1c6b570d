import { describe, expect, test } from 'vitest';
import type { ApiSeries } from '../../src/monitor/api-types.js';
import { groupSeries, layoutKey } from '../../src/monitor/dashboard/chart-groups.js';
import {
  formatBytes,
  formatSpan,
  formatTick,
  formatValue,
  round,
} from '../../src/monitor/dashboard/format.js';
import { firstIndexAtOrAfter, HostData } from '../../src/monitor/dashboard/host-data.js';
import {
  followsLive,
  rangeBounds,
  rangeFromUrl,
  writeRange,
} from '../../src/monitor/dashboard/time-range.js';

// The dashboard's pure parts (no DOM): formatting, the page's columns, layout and time ranges.

describe('format', () => {
  test('values by unit', () => {
    expect([
      formatValue(42.456, '%'),
      formatValue(1536, 'B/s'),
      formatValue(3 * 1024 ** 3, 'B'),
      formatValue(0.756, ''),
      formatValue(5, 'ops'),
      formatValue(null, '%'),
    ]).toEqual(['42.5%', '1.5 KiB/s', '3 GiB', '0.756', '5 ops', '-']);
    expect([formatTick(100, '%'), formatTick(1024 ** 2, 'B/s'), formatTick(2.5, '')]).toEqual([
      '100%',
      '1 MiB/s',
      '2.5',
    ]);
    expect([formatBytes(512), formatBytes(-2048)]).toEqual(['512 B', '-2 KiB']);
    expect([round(1234.5), round(12.345), round(0.12345)]).toEqual(['1235', '12.3', '0.123']);
    expect([
      formatSpan(500),
      formatSpan(30_000),
      formatSpan(300_000),
      formatSpan(7_200_000),
    ]).toEqual(['500 ms', '30 s', '5 min', '2 h']);
  });
});

describe('HostData', () => {
  test('loads columns, appends newer samples (new series filled with nulls) and skips older ones', () => {
    const data = HostData.fromResponse({
      host: 'web1',
      fromMs: 0,
      toMs: 2000,
      timestamps: [1000, 2000],
      values: { 'web1/a': [1, 2] },
      bucketMs: 0,
    });
    expect(
      data.append(3000, { 'web1/a': 3, 'web1/b': 30 }, { 'web1/b': { command: 'nginx' } }),
    ).toBe(true);
    expect(data.append(3000, { 'web1/a': 9 })).toBe(false);
    expect(data.timestamps).toEqual([1000, 2000, 3000]);
    expect(data.column('web1/a')).toEqual([1, 2, 3]);
    expect(data.column('web1/b')).toEqual([null, null, 30]);
    expect(data.column('web1/c')).toEqual([null, null, null]);
    expect([data.detailAt('web1/b', 2), data.detailAt('web1/b', 1)]).toEqual([
      { command: 'nginx' },
      null,
    ]);
  });

  test('a sliding window drops old points in batches, keeping columns aligned', () => {
    const data = new HostData('web1');
    for (let second = 0; second < 1000; second++) data.append(second * 1000, { 'web1/a': second });
    data.trimBefore(100_000);
    expect(data.timestamps).toHaveLength(1000); // 100 out of 1000: not worth shifting yet
    data.trimBefore(400_000);
    expect([data.timestamps.length, data.timestamps[0], data.column('web1/a')[0]]).toEqual([
      600, 400_000, 400,
    ]);
    expect([
      firstIndexAtOrAfter([1, 3, 5], 3),
      firstIndexAtOrAfter([1, 3, 5], 4),
      firstIndexAtOrAfter([1, 3, 5], 9),
    ]).toEqual([1, 2, 3]);
  });
});

describe('groupSeries', () => {
  const series = (key: string, tab: string, chart: string, host = 'web1'): ApiSeries => ({
    id: `${host}/${key}`,
    host,
    key,
    label: key,
    tab,
    chart,
    unit: '%',
    labels: {},
  });

  test('built-in tabs first in their order, then custom tabs as they come; one chart per group', () => {
    const all = [
      series('q', 'queues', 'Queue'),
      series('rx', 'network', 'Network'),
      series('busy', 'cpu', 'CPU'),
      series('c0', 'cpu', 'Per core'),
      series('c1', 'cpu', 'Per core'),
      series('x', 'cpu', 'CPU', 'db1'),
    ];
    const tabs = groupSeries(all, 'web1');
    expect(
      tabs.map((tab) => [
        tab.id,
        tab.label,
        tab.charts.map((chart) => `${chart.title}: ${chart.series.map((s) => s.key).join(',')}`),
      ]),
    ).toEqual([
      ['cpu', 'CPU', ['CPU: busy', 'Per core: c0,c1']],
      ['network', 'Network', ['Network: rx']],
      ['queues', 'Queues', ['Queue: q']],
    ]);
    expect(layoutKey(tabs[0])).toBe('cpu/CPU:web1/busy|cpu/Per core:web1/c0,web1/c1');
  });
});

describe('time ranges', () => {
  test('from the URL: bounds, a named range, or the fallback', () => {
    expect(rangeFromUrl(new URLSearchParams('from=1000&to=2000'), 'all')).toEqual({
      kind: 'fixed',
      fromMs: 1000,
      toMs: 2000,
    });
    expect(rangeFromUrl(new URLSearchParams('from=2024-05-01T00:00:00Z'), 'all')).toEqual({
      kind: 'fixed',
      fromMs: Date.parse('2024-05-01T00:00:00Z'),
      toMs: undefined,
    });
    expect(rangeFromUrl(new URLSearchParams('range=6h'), 'all')).toEqual({
      kind: 'last',
      name: '6h',
      durationMs: 21_600_000,
    });
    expect(rangeFromUrl(new URLSearchParams('range=weird'), '1h')).toEqual({
      kind: 'last',
      name: '1h',
      durationMs: 3_600_000,
    });
  });

  test('bounds asked of the server, whether live samples extend it, and back into the URL', () => {
    expect(rangeBounds({ kind: 'last', name: '5m', durationMs: 300_000 }, 1_000_000)).toEqual({
      fromMs: 700_000,
    });
    expect(rangeBounds({ kind: 'all' }, 1_000_000)).toEqual({});
    expect([
      followsLive({ kind: 'fixed', fromMs: 1, toMs: 2 }),
      followsLive({ kind: 'fixed', fromMs: 1, toMs: undefined }),
      followsLive({ kind: 'all' }),
    ]).toEqual([false, true, true]);
    const params = new URLSearchParams('host=web1&range=1h');
    writeRange({ kind: 'fixed', fromMs: 5, toMs: 9 }, params);
    expect(params.toString()).toBe('host=web1&from=5&to=9');
  });
});
