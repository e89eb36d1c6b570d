import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterMemory } from './counter-memory.js';
import { parseProcessStatLine, parseProcessStats, processesParser } from './processes-parser.js';

const sample = (name: string): string =>
  readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8');

function readTicks(count: number, ...outputs: string[]) {
  const parser = processesParser(count);
  const memory = new CounterMemory();
  return outputs.map((output, index) =>
    parser.parse(output, memory.contextFor('web1', index * 1000)),
  );
}

/** A /proc/<pid>/stat line with the given name, CPU ticks and start time. */
const statLine = (pid: number, name: string, cpuTicks: number, start = 500): string =>
  `${pid} (${name}) S 1 ${pid} ${pid} 0 -1 4194304 10 0 0 0 ${cpuTicks} 0 0 0 20 0 1 0 ${start} 1000 25 0`;

describe('processes parser', () => {
  it('ranks the busiest processes by % of the whole machine, with their detail', () => {
    const [first, second] = readTicks(
      3,
      sample('local/processes.1.txt'),
      sample('local/processes.2.txt'),
    );
    expect(first).toEqual([]);
    // The machine ran 201 jiffies (2 cores); the busy loop `sh` 102 of them, dd 3.
    expect(second).toEqual([
      {
        key: 'proc.1',
        label: '#1',
        labels: { rank: '1' },
        value: (102 / 201) * 100,
        detail: { pid: 19607, command: 'sh', state: 'R', rssBytes: 381 * 4096, cpuSeconds: 1.02 },
      },
      {
        key: 'proc.2',
        label: '#2',
        labels: { rank: '2' },
        value: (3 / 201) * 100,
        detail: { pid: 19604, command: 'dd', state: 'Z', rssBytes: 0, cpuSeconds: 0.03 },
      },
      {
        key: 'proc.3',
        label: '#3',
        labels: { rank: '3' },
        value: 0,
        detail: { pid: 2, command: 'kthreadd', state: 'S', rssBytes: 0, cpuSeconds: 0.04 },
      },
    ]);
  });

  it('reads the processes of a busybox container', () => {
    const [, second] = readTicks(
      2,
      sample('busybox/processes.1.txt'),
      sample('busybox/processes.2.txt'),
    );
    expect(second!.map((reading) => [reading.detail?.pid, reading.value])).toEqual([
      [8, (99 / 207) * 100],
      [1, 0],
    ]);
  });

  it('reads names holding spaces and parentheses up to the last `)`', () => {
    const local = sample('local/processes.1.txt')
      .split('\n')
      .find((line) => line.startsWith('19444 '));
    expect(parseProcessStatLine(local!)).toEqual({
      pid: 19444,
      command: 'x) (y',
      state: 'S',
      cpuJiffies: 0,
      startJiffies: 5255837,
      rssPages: 419,
    });
    expect(parseProcessStatLine(statLine(7, 'tmux: server', 3))?.command).toBe('tmux: server');
    expect(parseProcessStatLine(statLine(8, '(sd-pam)', 3))?.command).toBe('(sd-pam)');
  });

  it('takes a reused pid (another start time) as a new process: a baseline', () => {
    const tick = (lines: string[]): string => ['cpu  0 0 0 100 0 0 0 0', ...lines].join('\n');
    const [, , third] = readTicks(
      5,
      tick([statLine(40, 'old', 10, 100)]),
      'cpu  0 0 0 200 0 0 0 0\n' + statLine(40, 'new', 5, 900),
      'cpu  0 0 0 300 0 0 0 0\n' + statLine(40, 'new', 55, 900),
    );
    expect(third!.map((reading) => [reading.detail?.command, reading.value])).toEqual([
      ['new', 50],
    ]);
  });

  it('skips malformed lines and reads nothing without the cpu line', () => {
    const snapshot = parseProcessStats(
      'cpu  1 2 3 4\n12 (a) S 1 2\nno pid here\n' + statLine(9, 'ok', 1),
    );
    expect(snapshot.totalJiffies).toBe(10);
    expect(snapshot.processes.map((process) => process.pid)).toEqual([9]);
    expect(readTicks(1, statLine(9, 'ok', 1), statLine(9, 'ok', 2))).toEqual([[], []]);
  });

  it('runs one process per tick: the first line of /proc/stat by builtins, then one cat', () => {
    expect(processesParser().command).toBe(
      'IFS= read -r __otto_l </proc/stat && printf \'%s\\n\' "$__otto_l"; cat /proc/[0-9]*/stat 2>/dev/null',
    );
  });

  it('refuses a count that is not a whole number from 1 to 50', () => {
    expect(() => processesParser(0)).toThrow(
      'Invalid number of top processes 0: it must be a whole number from 1 to 50.\n' +
        'Fix: give e.g. 5, or leave the processes parser out.',
    );
  });
});
