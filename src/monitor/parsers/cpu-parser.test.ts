import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterMemory } from './counter-memory.js';
import { cpuParser, parseProcStat } from './cpu-parser.js';

const sample = (name: string): string =>
  readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8');

/** The parser's readings of each output, one tick a second apart, as key → value. */
function readTicks(...outputs: string[]): Array<Record<string, number>> {
  const memory = new CounterMemory();
  return outputs.map((output, index) => {
    const readings = cpuParser.parse(output, memory.contextFor('web1', index * 1000));
    return Object.fromEntries(readings.map((reading) => [reading.key, reading.value]));
  });
}

describe('cpu parser', () => {
  it('reads busy and iowait % of the machine and busy % per core from two samples', () => {
    const [first, second] = readTicks(sample('local/stat.1.txt'), sample('local/stat.2.txt'));
    expect(first).toEqual({});
    // cpu: user +101, system +2, idle +85, iowait +12, softirq +1 → 104 busy of 201.
    expect(second!['cpu.busy']).toBeCloseTo((104 / 201) * 100, 9);
    expect(second!['cpu.iowait']).toBeCloseTo((12 / 201) * 100, 9);
    // cpu0: system +2, idle +85, iowait +12, steal +1; cpu1: user +100, softirq +2, nothing idle.
    expect(second!['cpu.0.busy']).toBeCloseTo(3, 9);
    expect(second!['cpu.1.busy']).toBe(100);
    expect(Object.keys(second!)).toEqual(['cpu.busy', 'cpu.iowait', 'cpu.0.busy', 'cpu.1.busy']);
  });

  it('places the per-core series on their own chart with the core as label', () => {
    const memory = new CounterMemory();
    cpuParser.parse(sample('busybox/stat.1.txt'), memory.contextFor('web1', 0));
    const readings = cpuParser.parse(sample('busybox/stat.2.txt'), memory.contextFor('web1', 1000));
    expect(readings.find((reading) => reading.key === 'cpu.1.busy')).toEqual({
      key: 'cpu.1.busy',
      label: 'cpu1',
      labels: { core: '1' },
      chart: 'CPU per core',
      // user +101, steal +2, no idle time: the busy loop had the core.
      value: 100,
    });
    expect(readings[0]).toEqual({ key: 'cpu.busy', label: 'busy', value: 100 });
  });

  it('skips the tick after a counter reset (a reboot), and reads again on the next one', () => {
    const [, , afterReset, next] = readTicks(
      sample('bookworm/stat.1.txt'),
      sample('bookworm/stat.2.txt'),
      'cpu  50 0 20 900 10 0 0 0 0 0\n',
      'cpu  110 0 30 1020 20 0 0 0 0 0\n',
    );
    expect(afterReset).toEqual({});
    expect(next).toEqual({ 'cpu.busy': (70 / 200) * 100, 'cpu.iowait': (10 / 200) * 100 });
  });

  it('does not count guest time twice (it is already in user and nice)', () => {
    const [, second] = readTicks(
      'cpu  100 0 0 100 0 0 0 0 0 0\n',
      'cpu  150 10 0 140 0 0 0 0 40 10\n',
    );
    expect(second!['cpu.busy']).toBeCloseTo((60 / 100) * 100, 9);
  });

  it('reads the four fields of old kernels and skips malformed lines', () => {
    expect(
      parseProcStat('cpu  10 2 3 80\ncpu0 x 1 2 3\ncpu1 1 2\nintr 5 6\ncpux 1 2 3 4\n'),
    ).toEqual([{ cpu: 'cpu', busyJiffies: 15, idleJiffies: 80, iowaitJiffies: 0 }]);
  });

  it('gives no reading when no time passed on the CPU (two reads within a jiffy)', () => {
    const line = 'cpu  100 0 0 100 0 0 0 0 0 0\n';
    expect(readTicks(line, line)[1]).toEqual({});
  });

  it('reads only the cpu lines of /proc/stat, with shell builtins', () => {
    expect(cpuParser.command).toBe(
      'while IFS= read -r __otto_l || [ -n "$__otto_l" ]; do case $__otto_l in cpu*) ' +
        'printf \'%s\\n\' "$__otto_l";; *) break;; esac; done </proc/stat',
    );
  });
});
