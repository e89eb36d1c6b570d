import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterMemory } from './counter-memory.js';
import { memoryParser, parseMeminfo } from './memory-parser.js';

const sample = (name: string): string =>
  readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8');
const parse = (output: string) =>
  memoryParser.parse(output, new CounterMemory().contextFor('web1', 0));

describe('memory parser', () => {
  it('reads used % from MemAvailable, with used and total bytes as detail', () => {
    // MemTotal 24683584 kB, MemAvailable 24198384 kB; no swap on this machine.
    expect(parse(sample('local/meminfo.2.txt'))).toEqual([
      {
        key: 'mem.used',
        label: 'used',
        value: ((24683584 - 24198384) / 24683584) * 100,
        detail: { usedBytes: (24683584 - 24198384) * 1024, totalBytes: 24683584 * 1024 },
      },
    ]);
  });

  it('reads the same file inside busybox and Debian containers (the host memory)', () => {
    for (const name of ['busybox/meminfo.1.txt', 'bookworm/meminfo.2.txt'])
      expect(parse(sample(name)).map((reading) => reading.key)).toEqual(['mem.used']);
  });

  it('falls back to free + buffers + cached on kernels without MemAvailable', () => {
    const old = 'MemTotal: 1000 kB\nMemFree: 200 kB\nBuffers: 50 kB\nCached: 150 kB\n';
    expect(parse(old)[0]?.value).toBeCloseTo(60, 9);
  });

  it('reads swap use when there is swap', () => {
    const withSwap =
      'MemTotal: 1000 kB\nMemAvailable: 750 kB\nSwapTotal: 400 kB\nSwapFree: 300 kB\n';
    expect(parse(withSwap)).toEqual([
      {
        key: 'mem.used',
        label: 'used',
        value: 25,
        detail: { usedBytes: 256_000, totalBytes: 1_024_000 },
      },
      {
        key: 'mem.swap',
        label: 'swap',
        value: 25,
        detail: { usedBytes: 102_400, totalBytes: 409_600 },
      },
    ]);
  });

  it('skips malformed lines and reads nothing without a total', () => {
    expect(parseMeminfo('MemTotal: lots kB\nno colon here\nHugePages_Total:       0\n')).toEqual({
      HugePages_Total: 0,
    });
    expect(parse('MemTotal: 0 kB\nMemAvailable: 0 kB\n')).toEqual([]);
  });

  it('reads /proc/meminfo with shell builtins, up to SwapFree', () => {
    expect(memoryParser.command).toBe(
      'while IFS= read -r __otto_l || [ -n "$__otto_l" ]; do printf \'%s\\n\' "$__otto_l"; ' +
        'case $__otto_l in SwapFree:*) break;; esac; done </proc/meminfo',
    );
  });
});
