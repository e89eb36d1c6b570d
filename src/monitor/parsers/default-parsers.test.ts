import { describe, expect, it } from 'vitest';
import { defaultParsers } from './default-parsers.js';

describe('defaultParsers', () => {
  it('gives cpu, memory, load, diskio, network and df, and processes only when asked', () => {
    const names = (processes?: number): string[] =>
      defaultParsers(processes === undefined ? {} : { processes }).map((parser) => parser.name);
    expect(names()).toEqual(['cpu', 'memory', 'load', 'diskio', 'network', 'df']);
    expect(names(0)).toEqual(names());
    expect(names(5)).toEqual([...names(), 'processes']);
  });

  it('places each built-in series on its tab and chart', () => {
    const placements = defaultParsers({ processes: 5 }).map(({ name, tab, chart, unit }) => [
      name,
      tab,
      chart,
      unit,
    ]);
    expect(placements).toEqual([
      ['cpu', 'cpu', 'CPU', '%'],
      ['memory', 'memory', 'Memory', '%'],
      ['load', 'cpu', 'Load', ''],
      ['diskio', 'disk', 'Disk I/O', 'B/s'],
      ['network', 'network', 'Network', 'B/s'],
      ['df', 'disk', 'Disk use', '%'],
      ['processes', 'cpu', 'Top processes', '%'],
    ]);
  });
});
