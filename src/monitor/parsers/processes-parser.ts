import { MonitorError } from '../../errors.js';
import type { MetricParser, MetricReading, ParseContext } from '../metric-types.js';
import { parseCpuLine } from './cpu-parser.js';
import { fieldsOf, linesOf, numberOf, percentOf } from './proc-text.js';
import { readLinesCommand, trustCommand } from './trusted-commands.js';

/**
 * The processes using most CPU, from one command: the first line of /proc/stat (jiffies of the
 * whole machine) and `/proc/<pid>/stat` of every process (`pid (comm) state ...`, field 14 utime,
 * 15 stime, 22 starttime, 24 rss in pages). A share is the process's jiffies over the machine's in
 * the same time, so it is % of the whole machine whatever the number of cores. Series are ranks
 * (`proc.1` is the busiest), not pids, whose number would grow without end; the pid, command and
 * the rest are the point's detail. A process read for the first time is a baseline, as any counter.
 */

/** One process of /proc/<pid>/stat. */
export interface ProcessStat {
  pid: number;
  /** The kernel's name of it (`comm`, at most 15 bytes), parentheses and spaces included. */
  command: string;
  state: string;
  /** utime + stime, in clock ticks. */
  cpuJiffies: number;
  /** Start time after boot, in clock ticks: with the pid, it tells a reused pid apart. */
  startJiffies: number;
  rssPages: number;
}

/** What one run of the processes command read. */
export interface ProcessSnapshot {
  /** Jiffies of the whole machine (the `cpu` line); undefined when that line did not read. */
  totalJiffies: number | undefined;
  processes: ProcessStat[];
}

// Linux exports every clock-tick count in USER_HZ, 100 on every architecture it runs on, and
// pages are 4 KiB on x86 and most arm64 kernels: reading either would cost a process each tick.
const USER_HZ = 100;
const PAGE_BYTES = 4096;
const MAX_PROCESSES = 50;

/**
 * Reads the processes command's output; malformed lines are skipped.
 * @example parseProcessStats('cpu  1 0 1 8\n42 (sh) S 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 99 0 12\n')
 */
export function parseProcessStats(output: string): ProcessSnapshot {
  const snapshot: ProcessSnapshot = { totalJiffies: undefined, processes: [] };
  for (const line of linesOf(output)) {
    const cpu = line.startsWith('cpu') ? parseCpuLine(line) : undefined;
    if (cpu) {
      snapshot.totalJiffies = cpu.busyJiffies + cpu.idleJiffies + cpu.iowaitJiffies;
      continue;
    }
    const process = parseProcessStatLine(line);
    if (process) snapshot.processes.push(process);
  }
  return snapshot;
}

/** One /proc/<pid>/stat line: the name is read up to the last `)`, as it may hold `) (`. */
export function parseProcessStatLine(line: string): ProcessStat | undefined {
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  if (open <= 0 || close < open) return undefined;
  const pid = numberOf(line.slice(0, open));
  const rest = fieldsOf(line.slice(close + 1));
  // Field n of the line (from 1) is rest[n - 3]: the pid and the name come before.
  const [utime, stime, start, rss] = [rest[11], rest[12], rest[19], rest[21]].map(numberOf);
  const state = rest[0];
  if (pid === undefined || state === undefined) return undefined;
  if (utime === undefined || stime === undefined || start === undefined || rss === undefined)
    return undefined;
  const command = line.slice(open + 2, close);
  return { pid, command, state, cpuJiffies: utime + stime, startJiffies: start, rssPages: rss };
}

/** The `count` busiest processes since the previous reading, as `proc.<rank>` in %. */
export function readProcessSnapshot(
  snapshot: ProcessSnapshot,
  count: number,
  context: ParseContext,
): MetricReading[] {
  if (snapshot.totalJiffies === undefined) return [];
  const totalDelta = context.delta('processes:total', snapshot.totalJiffies);
  const shares: Array<{ process: ProcessStat; share: number }> = [];
  for (const process of snapshot.processes) {
    const key = `processes:${process.pid}:${process.startJiffies}`;
    const delta = context.delta(key, process.cpuJiffies);
    const share = percentOf(delta, totalDelta);
    if (share !== undefined) shares.push({ process, share });
  }
  shares.sort((a, b) => b.share - a.share || a.process.pid - b.process.pid);
  return shares
    .slice(0, count)
    .map(({ process, share }, index) => rankReading(index + 1, process, share));
}

function rankReading(rank: number, process: ProcessStat, share: number): MetricReading {
  return {
    key: `proc.${rank}`,
    label: `#${rank}`,
    labels: { rank: String(rank) },
    value: share,
    detail: {
      pid: process.pid,
      command: process.command,
      state: process.state,
      rssBytes: process.rssPages * PAGE_BYTES,
      cpuSeconds: process.cpuJiffies / USER_HZ,
    },
  };
}

const PROCESSES_COMMAND = trustCommand(
  `${readLinesCommand('/proc/stat', { firstLineOnly: true })}; cat /proc/[0-9]*/stat 2>/dev/null`,
);

/**
 * The `processes` parser: the `count` processes using most CPU, `proc.1` to `proc.<count>` in % of
 * the whole machine (chart `Top processes`, tab `cpu`), with pid, command, state, RSS and CPU time.
 * @example defaultParsers({ processes: 5 }) // includes processesParser(5)
 */
export function processesParser(count = 5): MetricParser {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PROCESSES)
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Invalid number of top processes ${String(count)}: it must be a whole number from 1 to ${MAX_PROCESSES}.`,
      { fix: 'give e.g. 5, or leave the processes parser out.' },
    );
  return {
    name: 'processes',
    command: PROCESSES_COMMAND,
    tab: 'cpu',
    chart: 'Top processes',
    unit: '%',
    parse: (output, context) => readProcessSnapshot(parseProcessStats(output), count, context),
  };
}
