import { quotePosix } from '../../common/quote.js';

/**
 * Every process otto-ts starts through an exec carries a random token in its environment, which
 * its children inherit. A stuck command, or a shell being closed, is then killed by that token from
 * a second exec: the exec's own `Pid` cannot serve, since the engine reports it in the engine
 * host's PID namespace, where a `kill` run inside the container would hit some other process or
 * none.
 */
export const EXEC_TOKEN_VARIABLE = 'OTTO_EXEC_TOKEN';

/**
 * A new random token: 16 hex digits, so that no token is a prefix of another. It must be unique,
 * not secret (any process in the container can read it in /proc), so `Math.random` serves: node:crypto
 * would cost every process that holds a container host over a MiB of memory to load.
 */
export function createExecToken(): string {
  let token = '';
  for (let part = 0; part < 2; part++)
    token += Math.floor(Math.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return token;
}

/** The environment entry that marks a process (and its children) with `token`. */
export function tokenEnvironment(token: string): Record<string, string> {
  return { [EXEC_TOKEN_VARIABLE]: token };
}

/** Rounds of finding and killing with KILL: a process forked while a round ran is caught by the next. */
const KILL_ROUNDS = 5;

/**
 * A shell script that sends `signal` to every process whose environment carries `token`, and to
 * every descendant of those (a child started with `env -i`, or one that changed user, keeps its
 * parent). `spare` is left alone, but its descendants are not: the shell of a session, whose stuck
 * command is killed while the shell lives on. It uses shell builtins only (`read`, `case`, `kill`,
 * globbing) and /proc, so it runs on any POSIX `sh` (dash, bash, busybox ash) with nothing else in
 * the image, as a user that may read the target processes' /proc/<pid>/environ: the user they run
 * as (root only for root's own, since a container has no CAP_SYS_PTRACE by default).
 *
 * `/proc/<pid>/environ` holds NUL-separated entries. `read` drops the NULs (every shell above does;
 * busybox `grep`, which the first version of this script relied on, stops at the first one), so
 * the entries come out joined, and the token entry is looked for anywhere in them: its value is 16
 * hex digits, and another token cannot contain it. The script's own process carries the token
 * in its arguments only, never in its environment.
 */
export function tokenKillScript(
  token: string,
  signal: 'KILL' | 'INT' | 'TERM' = 'KILL',
  spare?: number,
): string {
  return [
    `t=${quotePosix(`${EXEC_TOKEN_VARIABLE}=${token}`)}`,
    `s0=${spare === undefined ? '' : String(Math.trunc(spare))}`,
    // Succeeds when the environment of process directory $1 holds the token.
    'marked() {',
    '  e=',
    '  { while IFS= read -r l || [ -n "$l" ]; do e=$e$l; done; } 2>/dev/null < "$1/environ" || return 1',
    '  case $e in *"$t"*) return 0;; esac',
    '  return 1',
    '}',
    // Adds to $k the live processes whose parent is in $k, until none is added.
    'descendants() {',
    '  while :; do',
    '    more=',
    '    for d in /proc/[0-9]*; do',
    '      case $k in *" ${d#/proc/} "*) continue;; esac',
    '      IFS= read -r s 2>/dev/null < "$d/stat" || continue',
    '      set -- ${s##*) }',
    '      [ "$1" = Z ] && continue',
    '      case $k in *" $2 "*) k="$k${d#/proc/} "; more=1;; esac',
    '    done',
    '    [ -n "$more" ] || return 0',
    '  done',
    '}',
    // Signals what carries the token and its descendants; fails when there was nothing to signal.
    'round() {',
    '  k=" ${s0:+$s0 }"',
    '  for d in /proc/[0-9]*; do',
    '    p=${d#/proc/}',
    '    [ "$p" = "$$" ] || [ "$p" = "$s0" ] && continue',
    '    marked "$d" && k="$k$p "',
    '  done',
    '  descendants',
    '  n=',
    '  for p in $k; do',
    '    [ "$p" = "$s0" ] && continue',
    `    kill -${signal} "$p" 2>/dev/null && n=1`,
    '  done',
    '  [ -n "$n" ]',
    '}',
    'i=0',
    `while [ $i -lt ${signal === 'KILL' ? KILL_ROUNDS : 1} ] && round; do i=$((i + 1)); done`,
    'exit 0',
  ].join('\n');
}
