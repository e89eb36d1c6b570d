import type { MetricParser, MetricReading } from '../metric-types.js';
import { linesOf, percentOf } from './proc-text.js';
import { trustCommand } from './trusted-commands.js';

/**
 * Disk use per mount from `df -kP` (GNU coreutils and busybox print the same POSIX format: one line
 * per file system, sizes in KiB, the mount point last and unquoted, spaces and all). A mount df
 * cannot read is left out of its output (its complaint goes to stderr), so it simply has no point.
 */

/** One line of `df -kP`. */
export interface DfLine {
  filesystem: string;
  sizeKib: number;
  usedKib: number;
  availableKib: number;
  mount: string;
}

// Filesystem, 1024-blocks, Used, Available, Capacity, Mounted on. The lazy first group lets a
// file system name hold spaces; the mount point is the rest of the line.
const DF_LINE = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/;

/** File systems that hold no disk: memory, kernel interfaces, a container's layers. */
const PSEUDO_FILESYSTEMS = new Set([
  'tmpfs',
  'devtmpfs',
  'shm',
  'udev',
  'none',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'overlay',
  'run',
  'ramfs',
  'efivarfs',
  'securityfs',
  'debugfs',
  'tracefs',
  'pstore',
  'bpf',
  'hugetlbfs',
  'configfs',
  'fusectl',
  'binfmt_misc',
  'nsfs',
  'autofs',
]);

/** The files Docker bind-mounts into every container: they only repeat the host's disk. */
const CONTAINER_FILE_MOUNTS = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']);

/**
 * Reads the lines of `df -kP`; the header and malformed lines are skipped.
 * @example parseDf('/dev/vda 100 25 75 25% /\n')[0]?.mount // '/'
 */
export function parseDf(output: string): DfLine[] {
  const lines: DfLine[] = [];
  for (const line of linesOf(output)) {
    const match = DF_LINE.exec(line.trimEnd());
    if (!match) continue;
    const [, filesystem = '', size = '', used = '', available = '', , mount = ''] = match;
    lines.push({
      filesystem,
      sizeKib: Number(size),
      usedKib: Number(used),
      availableKib: Number(available),
      mount,
    });
  }
  return lines;
}

/**
 * The mounts worth a series: no pseudo file system (except at `/`, where a container's overlay is
 * its disk), none of size zero, no container file mounts, and each file system once, at its
 * shortest mount point (busybox's df lists bind mounts again; GNU df already leaves them out).
 */
export function diskMounts(lines: readonly DfLine[]): DfLine[] {
  const byFilesystem = new Map<string, DfLine>();
  for (const line of lines) {
    if (!isDiskMount(line)) continue;
    const kept = byFilesystem.get(line.filesystem);
    if (!kept || line.mount.length < kept.mount.length) byFilesystem.set(line.filesystem, line);
  }
  return lines.filter((line) => byFilesystem.get(line.filesystem) === line);
}

function isDiskMount(line: DfLine): boolean {
  if (line.sizeKib === 0 || CONTAINER_FILE_MOUNTS.has(line.mount)) return false;
  return line.mount === '/' || !PSEUDO_FILESYSTEMS.has(line.filesystem);
}

/** `df.<mount>` use in %, as df counts it: used of what users can have (used + available). */
export function readDfLines(lines: readonly DfLine[]): MetricReading[] {
  const readings: MetricReading[] = [];
  for (const line of diskMounts(lines)) {
    const value = percentOf(line.usedKib, line.usedKib + line.availableKib);
    if (value === undefined) continue;
    readings.push({
      key: `df.${line.mount}`,
      label: line.mount,
      labels: { mount: line.mount, filesystem: line.filesystem },
      value,
      detail: { usedBytes: line.usedKib * 1024, availableBytes: line.availableKib * 1024 },
    });
  }
  return readings;
}

/** The `df` parser: use % per mount (chart `Disk use`, tab `disk`). */
export const dfParser: MetricParser = {
  name: 'df',
  command: trustCommand('df -kP'),
  tab: 'disk',
  chart: 'Disk use',
  unit: '%',
  parse: (output) => readDfLines(parseDf(output)),
};
