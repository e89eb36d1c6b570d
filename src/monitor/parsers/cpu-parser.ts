import type { MetricParser, MetricReading, ParseContext } from '../metric-types.js';
import { fieldsOf, linesOf, numbersOf, percentOf } from './proc-text.js';
import { readLinesCommand } from './trusted-commands.js';

/**
 * CPU busy % from `/proc/stat`: the `cpu` line for the whole machine, `cpuN` per core. Its fields
 * are jiffies since boot: user nice system idle iowait irq softirq steal guest guest_nice. Busy is
 * everything but idle and iowait; guest and guest_nice are already counted in user and nice, so
 * they are left out of the total. Old kernels have only the first four fields.
 */

/** One `cpu` line of /proc/stat, in jiffies since boot. */
export interface CpuTimes {
  /** `cpu` for the whole machine, `cpu0`, `cpu1`... per core. */
  cpu: string;
  busyJiffies: number;
  idleJiffies: number;
  iowaitJiffies: number;
}

const CPU_LINE = /^cpu\d*$/;

/**
 * Reads the `cpu` lines of /proc/stat; other lines and malformed ones are skipped.
 * @example parseProcStat('cpu  10 0 5 80 5 0 0 0 0 0\n')[0] // { cpu: 'cpu', busyJiffies: 15, ... }
 */
export function parseProcStat(output: string): CpuTimes[] {
  const times: CpuTimes[] = [];
  for (const line of linesOf(output)) {
    const parsed = parseCpuLine(line);
    if (parsed) times.push(parsed);
  }
  return times;
}

/** One `cpu` line, or undefined for another line or a malformed one. */
export function parseCpuLine(line: string): CpuTimes | undefined {
  const [name, ...rest] = fieldsOf(line);
  if (name === undefined || !CPU_LINE.test(name)) return undefined;
  const jiffies = numbersOf(rest.slice(0, 8));
  if (!jiffies || jiffies.length < 4) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    jiffies;
  return {
    cpu: name,
    busyJiffies: user + nice + system + irq + softirq + steal,
    idleJiffies: idle,
    iowaitJiffies: iowait,
  };
}

/** Busy and iowait % since the previous reading of each line; nothing for a baseline or reset. */
export function readCpuTimes(times: readonly CpuTimes[], context: ParseContext): MetricReading[] {
  return times.flatMap((cpu) => readOneCpu(cpu, context));
}

function readOneCpu(times: CpuTimes, context: ParseContext): MetricReading[] {
  const busy = context.delta(`cpu:${times.cpu}:busy`, times.busyJiffies);
  const idle = context.delta(`cpu:${times.cpu}:idle`, times.idleJiffies);
  const iowait = context.delta(`cpu:${times.cpu}:iowait`, times.iowaitJiffies);
  if (busy === undefined || idle === undefined || iowait === undefined) return [];
  const total = busy + idle + iowait;
  const busyPercent = percentOf(busy, total);
  if (busyPercent === undefined) return [];
  if (times.cpu !== 'cpu') return [coreReading(times.cpu, busyPercent)];
  return [
    { key: 'cpu.busy', label: 'busy', value: busyPercent },
    { key: 'cpu.iowait', label: 'iowait', value: percentOf(iowait, total) ?? 0 },
  ];
}

function coreReading(cpu: string, busyPercent: number): MetricReading {
  const core = cpu.slice('cpu'.length);
  return {
    key: `cpu.${core}.busy`,
    label: cpu,
    labels: { core },
    chart: 'CPU per core',
    value: busyPercent,
  };
}

/**
 * The `cpu` parser: `cpu.busy` and `cpu.iowait` (chart `CPU`), `cpu.<n>.busy` per core (chart
 * `CPU per core`), in % of the time since the previous tick.
 */
export const cpuParser: MetricParser = {
  name: 'cpu',
  // The cpu lines come first in /proc/stat; the long `intr` line after them is never read.
  command: readLinesCommand('/proc/stat', { whilePrefix: 'cpu' }),
  tab: 'cpu',
  chart: 'CPU',
  unit: '%',
  parse: (output, context) => readCpuTimes(parseProcStat(output), context),
};
