import { randomBytes } from 'node:crypto';
import { quotePosix } from '../../common/quote.js';

/**
 * Every process otto-ts starts through an exec carries a random token in its environment, which
 * its children inherit. A stuck command is then killed by that token, from a second exec: the
 * exec's own `Pid` cannot serve, since the engine reports it in the engine host's PID namespace,
 * where a `kill` run inside the container would hit some other process or none.
 */
export const EXEC_TOKEN_VARIABLE = 'OTTO_EXEC_TOKEN';

/** A new random token: 16 hex digits, so that no token is a prefix of another. */
export function createExecToken(): string {
  return randomBytes(8).toString('hex');
}

/** The environment entry that marks a process (and its children) with `token`. */
export function tokenEnvironment(token: string): Record<string, string> {
  return { [EXEC_TOKEN_VARIABLE]: token };
}

/**
 * A shell script that sends `signal` to every process whose environment carries `token`, by
 * reading /proc/<pid>/environ: it needs only a POSIX shell and grep (busybox has both). The script's
 * own processes do not carry the token in their environment, only in their arguments.
 */
export function tokenKillScript(token: string, signal: 'KILL' | 'INT' | 'TERM' = 'KILL'): string {
  return [
    'for f in /proc/[0-9]*/environ; do',
    `  grep -q -F ${quotePosix(`${EXEC_TOKEN_VARIABLE}=${token}`)} "$f" 2>/dev/null || continue`,
    '  p=${f#/proc/}',
    `  kill -${signal} "\${p%/environ}" 2>/dev/null`,
    'done',
    'exit 0',
  ].join('\n');
}
