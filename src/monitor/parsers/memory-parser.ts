import type { MetricParser, MetricReading } from '../metric-types.js';
import { fieldsOf, linesOf, numberOf, percentOf } from './proc-text.js';
import { readLinesCommand } from './trusted-commands.js';

/**
 * Memory and swap use from `/proc/meminfo` (`Key:   value kB` lines). Used memory is what is not
 * available: MemTotal - MemAvailable. Kernels before 3.14 have no MemAvailable; there the free,
 * buffer and page cache memory stands for it, as `free` did then.
 */

/** The fields of /proc/meminfo, in bytes, by name (`MemTotal`, `SwapFree`). */
export type Meminfo = Record<string, number>;

/**
 * Reads /proc/meminfo into bytes by field name; malformed lines are skipped.
 * @example parseMeminfo('MemTotal: 2048 kB\n').MemTotal // 2097152
 */
export function parseMeminfo(output: string): Meminfo {
  const fields: Meminfo = {};
  for (const line of linesOf(output)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const [amount, unit] = fieldsOf(line.slice(colon + 1));
    const value = numberOf(amount);
    if (value === undefined) continue;
    // Every size is in kB (KiB); the counts (HugePages_Total) have no unit.
    fields[line.slice(0, colon).trim()] = unit === 'kB' ? value * 1024 : value;
  }
  return fields;
}

/** `mem.used` and, when there is swap, `mem.swap`, in %, with used and total bytes as detail. */
export function readMeminfo(meminfo: Meminfo): MetricReading[] {
  const readings: MetricReading[] = [];
  const memory = usedOf(meminfo.MemTotal, availableOf(meminfo));
  if (memory) readings.push({ key: 'mem.used', label: 'used', ...memory });
  const swap = usedOf(meminfo.SwapTotal, meminfo.SwapFree);
  if (swap) readings.push({ key: 'mem.swap', label: 'swap', ...swap });
  return readings;
}

function availableOf(meminfo: Meminfo): number | undefined {
  if (meminfo.MemAvailable !== undefined) return meminfo.MemAvailable;
  const { MemFree: free, Buffers: buffers, Cached: cached } = meminfo;
  if (free === undefined || buffers === undefined || cached === undefined) return undefined;
  return free + buffers + cached;
}

function usedOf(
  totalBytes: number | undefined,
  freeBytes: number | undefined,
): Pick<MetricReading, 'value' | 'detail'> | undefined {
  if (totalBytes === undefined || freeBytes === undefined) return undefined;
  const usedBytes = Math.max(0, totalBytes - freeBytes);
  const value = percentOf(usedBytes, totalBytes);
  if (value === undefined) return undefined;
  return { value, detail: { usedBytes, totalBytes } };
}

/** The `memory` parser: `mem.used` and `mem.swap` in % (chart `Memory`, tab `memory`). */
export const memoryParser: MetricParser = {
  name: 'memory',
  // Every field read comes before SwapFree, in the order the kernel has kept for years; the
  // thirty lines after it would only cost read calls on the monitored host.
  command: readLinesCommand('/proc/meminfo', { throughPrefix: 'SwapFree:' }),
  tab: 'memory',
  chart: 'Memory',
  unit: '%',
  parse: (output) => readMeminfo(parseMeminfo(output)),
};
