import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadParser, parseLoadavg } from './load-parser.js';

const sample = (name: string): string =>
  readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8');

describe('load parser', () => {
  it('reads the 1, 5 and 15 minute load averages', () => {
    expect(parseLoadavg(sample('local/loadavg.2.txt'))).toEqual([
      { key: 'load.1m', label: '1m', value: 0.39 },
      { key: 'load.5m', label: '5m', value: 0.57 },
      { key: 'load.15m', label: '15m', value: 1.16 },
    ]);
    expect(parseLoadavg(sample('busybox/loadavg.1.txt'))).toHaveLength(3);
  });

  it('leaves out a field that is not a number', () => {
    expect(parseLoadavg('0.5 nan 1.0 1/2 3\n').map((reading) => reading.key)).toEqual([
      'load.1m',
      'load.15m',
    ]);
    expect(parseLoadavg('')).toEqual([]);
  });

  it('is charted on the cpu tab with no unit', () => {
    expect([loadParser.tab, loadParser.chart, loadParser.unit]).toEqual(['cpu', 'Load', '']);
  });
});
