import type { MetricParser, MetricReading, ParseContext } from '../metric-types.js';
import { fieldsOf, linesOf, numbersOf, rateReading } from './proc-text.js';
import { readLinesCommand } from './trusted-commands.js';

/**
 * Disk read and write rates from `/proc/diskstats`: `major minor name` then counters since boot,
 * the third of them sectors read and the seventh sectors written. The kernel counts sectors of
 * 512 bytes whatever the device's block size. Whole disks only: partitions would count their
 * disk's bytes twice, and loop, RAM, floppy, optical and zram devices are no disks.
 */

/** One device's counters. */
export interface DiskCounters {
  disk: string;
  readsCompleted: number;
  sectorsRead: number;
  writesCompleted: number;
  sectorsWritten: number;
}

const SECTOR_BYTES = 512;
const NOT_DISKS = [/^(loop|ram|fd|sr|zram)\d+(p\d+)?$/, /^mmcblk\d+(boot\d+|rpmb)$/];

/**
 * Reads /proc/diskstats; malformed lines are skipped.
 * @example parseDiskstats(' 254 0 vda 10 0 80 0 4 0 16 0 0 0 0\n')[0]?.sectorsRead // 80
 */
export function parseDiskstats(output: string): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of linesOf(output)) {
    const [, , disk, ...rest] = fieldsOf(line);
    const counters = numbersOf(rest.slice(0, 7));
    if (disk === undefined || !counters || counters.length < 7) continue;
    const [readsCompleted = 0, , sectorsRead = 0, , writesCompleted = 0, , sectorsWritten = 0] =
      counters;
    disks.push({ disk, readsCompleted, sectorsRead, writesCompleted, sectorsWritten });
  }
  return disks;
}

/**
 * The whole disks among `disks`: partitions of a listed disk (sda1 of sda, nvme0n1p1 of nvme0n1,
 * mmcblk0p1 of mmcblk0) and devices that are no disks are left out; dm-* and md* are kept.
 */
export function wholeDisks(disks: readonly DiskCounters[]): DiskCounters[] {
  const names = new Set(disks.map((disk) => disk.disk));
  return disks.filter(
    (disk) =>
      !NOT_DISKS.some((pattern) => pattern.test(disk.disk)) && !isPartition(disk.disk, names),
  );
}

/** True when `name` is a partition of a disk in `names`. */
export function isPartition(name: string, names: ReadonlySet<string>): boolean {
  // sda1 of sda: digits after a name ending in a letter.
  const lettered = /^(.*[^\d])\d+$/.exec(name);
  if (lettered && names.has(lettered[1]!)) return true;
  // nvme0n1p1 of nvme0n1, mmcblk0p1 of mmcblk0: `p` and digits after a name ending in a digit.
  const numbered = /^(.*\d)p\d+$/.exec(name);
  return numbered !== null && names.has(numbered[1]!);
}

/** `disk.<dev>.read` and `.write` in bytes/s since the previous reading of each counter. */
export function readDiskCounters(
  disks: readonly DiskCounters[],
  context: ParseContext,
): MetricReading[] {
  const readings: MetricReading[] = [];
  for (const disk of wholeDisks(disks)) {
    // A device never used since boot would only draw flat zeros (unused nbd, md, spare disks).
    if (disk.readsCompleted === 0 && disk.writesCompleted === 0) continue;
    const labels = { disk: disk.disk };
    const counters = [
      ['read', disk.sectorsRead],
      ['write', disk.sectorsWritten],
    ] as const;
    for (const [direction, sectors] of counters) {
      const series = {
        key: `disk.${disk.disk}.${direction}`,
        label: `${disk.disk} ${direction}`,
        labels,
      };
      const counterKey = `diskio:${disk.disk}:${direction}`;
      const reading = rateReading(context, counterKey, sectors, series, SECTOR_BYTES);
      if (reading) readings.push(reading);
    }
  }
  return readings;
}

/** The `diskio` parser: read and write bytes/s per whole disk (chart `Disk I/O`, tab `disk`). */
export const diskioParser: MetricParser = {
  name: 'diskio',
  command: readLinesCommand('/proc/diskstats'),
  tab: 'disk',
  chart: 'Disk I/O',
  unit: 'B/s',
  parse: (output, context) => readDiskCounters(parseDiskstats(output), context),
};
