import { quotePosix } from '../common/quote.js';

/**
 * A shell snippet that sends a signal to every child of a shell process: the foreground command
 * of a session that has no terminal to type Ctrl-C into. It prefers `pkill -P` and falls back to
 * reading /proc/<pid>/stat (`pid (comm) state ppid ...`), so that it needs nothing but a POSIX
 * shell on Linux.
 */
export function childSignalScript(shellPid: number, signal: 'INT' | 'KILL' = 'INT'): string {
  const pid = quotePosix(String(shellPid));
  return [
    `pkill -${signal} -P ${pid} 2>/dev/null && exit 0`,
    'for f in /proc/[0-9]*/stat; do',
    '  read -r line < "$f" 2>/dev/null || continue',
    '  set -- ${line##*) }',
    `  if [ "$2" = ${pid} ]; then c=\${f#/proc/}; kill -${signal} "\${c%/stat}" 2>/dev/null; fi`,
    'done',
    'exit 0',
  ].join('\n');
}
