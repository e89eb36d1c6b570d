import { posix } from 'node:path';
import { quotePosix } from '../common/quote.js';
import { lastLineOf, type RemoteShell } from './remote-shell.js';
import type { TransferRun } from './transfer-run.js';

/** One entry of a remote tree about to be fetched. */
export interface RemoteEntry {
  kind: 'file' | 'dir';
  /** Its path on the host. */
  path: string;
  /** Its path relative to the destination directory: the source's basename, then below it. */
  relative: string;
  mode: number;
  sizeBytes: number;
}

/**
 * Lists `$1` and everything below it, two lines per entry: `<f|d|m> <ls -ldnL fields>` then the
 * path (`m`: missing). Links are followed (`-L`, `[ -d ]`); sockets, pipes and devices are left
 * out. Only POSIX `ls` and `sh`: busybox hosts have them even without `stat` or `find`.
 */
const WALK_FUNCTION = [
  'walk() {',
  '  if [ -d "$1" ]; then k=d; elif [ -f "$1" ]; then k=f; else return 0; fi',
  '  printf "%s %s\\n%s\\n" "$k" "$(ls -ldnL -- "$1")" "$1"',
  '  [ "$k" = d ] || return 0',
  '  for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do',
  '    [ -e "$e" ] && walk "$e"',
  '  done',
  '  return 0',
  '}',
].join('\n');

/**
 * Lists the files and directories of a get's sources on the host, parents first. A missing
 * source fails the call at once (`REMOTE_PATH_NOT_FOUND`), before anything moves.
 */
export async function walkRemote(
  run: TransferRun,
  shell: RemoteShell,
  paths: readonly string[],
): Promise<RemoteEntry[]> {
  const calls = paths.map((path) => {
    const p = quotePosix(path);
    return `if [ -e ${p} ]; then walk ${p}; else printf "m\\n%s\\n" ${p}; fi`;
  });
  const result = await shell.run([WALK_FUNCTION, ...calls].join('\n'), { signal: run.signal });
  run.throwIfStopped();
  if (result.exitCode !== 0)
    throw run.failed(paths.join(', '), lastLineOf(result.stderr, 'listing the sources failed'));
  return parseWalk(run, paths, result.stdout.toString('utf8'));
}

/** Reads the walk's lines into entries, each named relative to its source's parent. */
export function parseWalk(
  run: TransferRun,
  paths: readonly string[],
  output: string,
): RemoteEntry[] {
  const lines = output.split(/\r?\n/);
  const entries: RemoteEntry[] = [];
  let source = -1;
  for (let index = 0; index + 1 < lines.length; index += 2) {
    const [kind, permissions = '', , , , size = '0'] = lines[index]!.split(/\s+/);
    const path = lines[index + 1]!;
    if (kind === 'm')
      throw run.sourceFailed(path, Object.assign(new Error(path), { code: 'ENOENT' }));
    if (kind !== 'f' && kind !== 'd') continue;
    if (paths[source + 1] === path) source += 1;
    const root = paths[source] ?? path;
    entries.push({
      kind: kind === 'f' ? 'file' : 'dir',
      path,
      relative: posix.join(posix.basename(root), posix.relative(root, path)),
      mode: modeOfPermissions(permissions),
      sizeBytes: kind === 'f' ? Number(size) : 0,
    });
  }
  return entries;
}

/** The permission bits of an `ls -l` mode string: `-rwsr-x--T` gives 0o4754. */
export function modeOfPermissions(text: string): number {
  const bits = text.slice(1, 10);
  let mode = 0;
  const specials = [0o4000, 0o2000, 0o1000];
  for (let group = 0; group < 3; group += 1) {
    const [read, write, exec] = bits.slice(group * 3, group * 3 + 3);
    const shift = 6 - group * 3;
    if (read === 'r') mode |= 4 << shift;
    if (write === 'w') mode |= 2 << shift;
    if (exec && 'xst'.includes(exec)) mode |= 1 << shift;
    if (exec && 'sStT'.includes(exec)) mode |= specials[group]!;
  }
  return mode;
}
