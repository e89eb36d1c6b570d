import { quotePosix } from '../common/quote.js';

/**
 * POSIX shell scripts that find and signal processes on a Linux host through /proc alone: no
 * `pkill`, `pgrep`, `ps` or `grep` is needed (busybox images and minimal hosts lack them, or ship
 * versions that read /proc differently), only a POSIX `sh` and its builtins, plus `cat` for
 * {@link markedKillScript}. Every transport that reaches a shell through a side channel (a second
 * SSH exec, a second Docker exec) runs them there, as `sh -s` with the script on stdin or as
 * `sh -c <script>`; the script must run in a session of its own or in one it may not kill.
 *
 * Processes are read from /proc/<pid>/stat: `pid (comm) state ppid pgrp session ...`. The comm
 * may hold spaces and parentheses, so fields are counted after its last `) `. The kill scripts
 * never touch pid 1, session 0 or 1, zombies, or the session the script itself runs in, and they
 * stop (SIGSTOP) what they find before the next scan, so that a process forking while it is
 * being killed cannot hand a child to init behind their back; everything found gets SIGKILL at
 * the end. Each exits 0: a process that ended meanwhile is not a failure.
 */

/** The environment variable that marks every process a direct command started (see {@link markedKillScript}). */
export const EXEC_MARK_VARIABLE = 'OTTO_EXEC_ID';

/**
 * The assignment that marks a command's processes: `OTTO_EXEC_ID=<mark>.`. The final dot ends
 * the value, so that no mark can match a longer one it is the start of.
 */
export function markAssignment(mark: string, variable: string = EXEC_MARK_VARIABLE): string {
  return `${variable}=${checkMark(mark)}.`;
}

/**
 * Sends `signal` to every child of a shell process: the foreground command of a session that has
 * no terminal to type Ctrl-C into. The shell itself is not signalled.
 * @example childSignalScript(4242, 'INT')
 */
export function childSignalScript(shellPid: number, signal: 'INT' | 'KILL' = 'INT'): string {
  const pid = quotePosix(String(checkPid(shellPid)));
  return [
    'for f in /proc/[0-9]*/stat; do',
    '  read -r l 2>/dev/null < "$f" || continue',
    '  set -- ${l##*) }',
    `  [ "$2" = ${pid} ] || continue`,
    '  q=${f#/proc/}',
    `  kill -${signal} "\${q%/stat}" 2>/dev/null`,
    'done',
    'exit 0',
  ].join('\n');
}

/** Options of {@link treeKillScript}. */
export interface TreeKillOptions {
  /** End the root process too, not only what it started. @default true */
  includeRoot?: boolean;
  /**
   * Also end every process of the root's session, which reaches what left the root's tree (an
   * orphaned background job, a double fork). `led`: only when /proc shows that the root leads its
   * session. `assumed`: the same, and when the root is gone its pid is still taken as the session
   * id (sshd and `setsid` make a shell the leader of its session, and the id outlives it).
   * `none`: the tree only. @default 'led'
   */
  session?: 'none' | 'led' | 'assumed';
}

/**
 * Kills (SIGKILL) a process and everything it started: its whole descendant tree and, as asked,
 * every process of the session it leads. This is how a shell is closed for good: a loop running
 * in the shell itself (`trap '' INT; while :; do :; done`) and its background jobs end with it.
 * @example treeKillScript(4242, { session: 'assumed' })
 */
export function treeKillScript(rootPid: number, options: TreeKillOptions = {}): string {
  const root = String(checkPid(rootPid));
  const session = options.session ?? 'led';
  return [
    ...SCAN_FUNCTION,
    `roots=" ${root} "`,
    `keep="${options.includeRoot === false ? ` ${root} ` : ' '}"`,
    'sids=" "',
    session === 'none' ? '' : leaderSession(root, session === 'assumed'),
    'leaders=',
    ...KILL_ROUNDS,
  ].join('\n');
}

/**
 * Kills (SIGKILL) every process whose environment or command line holds the
 * {@link markAssignment} of one of `marks`, with its descendants and every process of its
 * session. A direct command exports its mark before anything else, so this finds what it left
 * even when the server did not honour a signal request, including a loop in the login shell
 * itself (its command line holds the mark) and jobs that left its process group.
 * Marks are letters and digits only.
 * @example markedKillScript(['3f2a9c1b0d4e5f60'])
 */
export function markedKillScript(
  marks: readonly string[],
  variable: string = EXEC_MARK_VARIABLE,
): string {
  marks.forEach(checkMark);
  return [
    // bash as sh warns about the NUL bytes of every environment it reads.
    'exec 2>/dev/null',
    ...SCAN_FUNCTION,
    // The name and the value are joined only at match time, so that no process that merely
    // holds this script's text (an editor, a log) can ever match.
    `v=${quotePosix(variable)}`,
    `marks=${quotePosix(marks.join(' '))}`,
    'roots=" "',
    'keep=" "',
    'sids=" "',
    'for d in /proc/[0-9]*; do',
    '  [ -r "$d/environ" ] || continue',
    '  q=${d#/proc/}',
    '  [ "$q" = "$me" ] && continue',
    '  t=$(cat "$d/cmdline" "$d/environ" 2>/dev/null)',
    '  for m in $marks; do',
    '    case "$t" in *"$v=$m."*) roots="$roots$q "; break ;; esac',
    '  done',
    'done',
    // Every marked process gives its session: what the command started, whatever its group.
    'leaders=1',
    ...KILL_ROUNDS,
  ].join('\n');
}

function checkMark(mark: string): string {
  if (!/^[A-Za-z0-9]+$/.test(mark))
    throw new Error(`Invalid process mark ${JSON.stringify(mark)}.`);
  return mark;
}

function checkPid(pid: number): number {
  if (!Number.isInteger(pid) || pid < 2) throw new Error(`Invalid process id ${pid}.`);
  return pid;
}

/** Adds the root's session to `sids` when it leads it (or, `assumed`, when it is gone). */
function leaderSession(root: string, isAssumed: boolean): string {
  return [
    `if read -r l 2>/dev/null < /proc/${root}/stat; then`,
    '  set -- ${l##*) }',
    `  [ "$4" = ${root} ] && sids=" ${root} "`,
    isAssumed ? `else sids=" ${root} "` : '',
    'fi',
  ].join('\n');
}

/**
 * `scan` sets `new` to the pids, not yet in `all`, that are a root (unless kept), a child of a
 * root or of something found, or in one of `sids`; with `leaders` set, a root's session joins
 * `sids`. It repeats the pass until nothing more is found: /proc lists parents and children in
 * any order.
 */
const SCAN_FUNCTION = [
  'me=$$',
  'read -r l < /proc/$me/stat',
  'set -- ${l##*) }',
  'mysid=$4',
  'all=" "',
  'scan() {',
  '  new=" "',
  '  grew=1',
  '  while [ -n "$grew" ]; do',
  '    grew=',
  '    for f in /proc/[0-9]*/stat; do',
  '      read -r l 2>/dev/null < "$f" || continue',
  '      q=${f#/proc/}; q=${q%/stat}',
  '      set -- ${l##*) }',
  '      case "$1" in Z|X|x) continue ;; esac',
  '      [ "$q" = 1 ] || [ "$4" = "$mysid" ] || [ "$4" = 0 ] && continue',
  '      case "$all$new" in *" $q "*) continue ;; esac',
  '      hit=',
  '      case "$roots" in *" $q "*)',
  '        hit=1',
  '        if [ -n "$leaders" ] && [ "$4" != 1 ]; then',
  '          case "$sids" in *" $4 "*) ;; *) sids="$sids$4 "; grew=1 ;; esac',
  '        fi ;;',
  '      esac',
  '      case "$sids" in *" $4 "*) hit=1 ;; esac',
  '      case "$roots$all$new" in *" $2 "*) hit=1 ;; esac',
  '      case "$keep" in *" $q "*) hit= ;; esac',
  '      [ -n "$hit" ] && { new="$new$q "; grew=1; }',
  '    done',
  '  done',
  '}',
];

/** Scans, stops what it found and scans again, until nothing new turns up; then kills it all. */
const KILL_ROUNDS = [
  'n=0',
  'while [ $n -lt 10 ]; do',
  '  n=$((n + 1))',
  '  scan',
  '  [ "$new" = " " ] && break',
  '  kill -STOP $new 2>/dev/null',
  '  all="$all${new# }"',
  'done',
  '[ "$all" = " " ] || kill -KILL $all 2>/dev/null',
  'exit 0',
];
