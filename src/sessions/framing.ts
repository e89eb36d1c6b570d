import { QUIET_SHELL } from '../common/quiet-shell.js';
import { randomBytes } from 'node:crypto';

/**
 * The framing protocol of a persistent shell session.
 *
 * A command travels as the value of a shell variable, built from single-quoted pieces of at most
 * PIECE_CHARS characters, each on its own line, so that no input line exceeds a terminal's
 * canonical line limit (4095 bytes) and no quote, heredoc, `#` or newline in the command can
 * leak into the frame. The last line prints a begin marker, runs the command with
 * `command eval` (which keeps a syntax error from ending a POSIX shell), then prints an end
 * marker carrying `$?`:
 *
 *   __otto_c='first piece'\
 *   'next piece'
 *   { <xtrace off>; } 2>/dev/null; \command printf '%s%s\n' '__OTTO_<token>_' 'B<seq>__';
 *   \command eval "${__otto_x:+set -x;}$__otto_c" </dev/null 2>&1; { __otto_s=$?; <xtrace off>; } 2>/dev/null; ...
 *
 * The user's shell cannot break the frame: `\command printf` and `\command eval` reach the
 * builtins past any alias or function of that name, and `set -x` traces only the user's command
 * (the frame turns tracing off around itself, silently, and back on inside the `eval`).
 *
 * Markers are printed from two separate printf arguments, so text that merely echoes the input
 * (a terminal with echo on) never contains a whole marker; the token is random per session, so
 * output that resembles another session's markers never matches; the sequence number keeps a
 * late end marker of an interrupted command from ending the next one. The end marker has no
 * newline before it, so output without a final newline is returned exactly.
 */

/** Longest single-quoted piece of a command on one input line. */
const PIECE_CHARS = 512;

/** A new random session token (12 hex digits). */
export function createSessionToken(): string {
  return randomBytes(6).toString('hex');
}

/** The markers of one session. */
export interface SessionMarkers {
  readonly token: string;
  /** `__OTTO_<token>_B<seq>__`: output of command `seq` starts after it and its newline. */
  begin(seq: number): Buffer;
  /** `__OTTO_<token>_E<seq>_`: followed by the exit code and `__`. */
  endPrefix(seq: number): Buffer;
  /** Readiness answer: `__OTTO_<token>_READY_<raw|cooked>_<shell pid>__`. */
  readonly readyPattern: RegExp;
  /** Recovery answer after an interrupt: `__OTTO_<token>_R<seq>_<exit code>__`. */
  recoverPattern(seq: number): RegExp;
}

/** Builds the markers for a session token. */
export function createMarkers(token: string): SessionMarkers {
  const base = `__OTTO_${token}_`;
  return {
    token,
    begin: (seq) => Buffer.from(`${base}B${seq}__`),
    endPrefix: (seq) => Buffer.from(`${base}E${seq}_`),
    readyPattern: new RegExp(`(?:^|\\n)${base}READY_(raw|cooked)_(\\d+)__\\r?\\n`),
    recoverPattern: (seq) => new RegExp(`${base}R${seq}_(\\d+)__`),
  };
}

/** Quotes text as one single-quoted shell word. */
function singleQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits a command into single-quoted assignment lines of `__otto_c`, never between the two
 * halves of a surrogate pair (each half alone would be written as U+FFFD).
 */
function assignCommand(command: string): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < command.length || pieces.length === 0;) {
    let end = Math.min(start + PIECE_CHARS, command.length);
    if (end < command.length && isHighSurrogate(command.charCodeAt(end - 1))) end--;
    pieces.push(command.slice(start, end));
    start = end;
  }
  // One word over continuation lines (backslash-newline between quoted pieces): the shell reads
  // it in linear time, where appending piece by piece (`c="$c"'…'`) is quadratic (a 64 KiB
  // command took bash 138 ms that way, 11 ms this way).
  return pieces.map(
    (piece, index) =>
      `${index === 0 ? '__otto_c=' : ''}${singleQuote(piece)}${index < pieces.length - 1 ? '\\' : ''}`,
  );
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Options of {@link frameCommand}. */
export interface FrameOptions {
  token: string;
  seq: number;
  /** Leave the command's stdin on the session (to answer prompts); otherwise /dev/null. */
  isInteractive: boolean;
  /** A line run before the frame, its output skipped (e.g. putting the terminal back in raw mode). */
  prefix?: string;
}

/** The input that runs `command` framed by markers, ending with a newline. */
export function frameCommand(command: string, options: FrameOptions): string {
  const base = `__OTTO_${options.token}_`;
  const stdin = options.isInteractive ? '' : ' </dev/null';
  const run = [
    `{ case $- in *x*) __otto_x=1;; esac; set +x; } 2>/dev/null`,
    `\\command printf '%s%s\\n' '${base}' 'B${options.seq}__'`,
    `\\command eval "\${__otto_x:+set -x;}$__otto_c"${stdin} 2>&1`,
    // The status is saved first thing, before tracing is turned off again (silently).
    `{ __otto_s=$?; __otto_x=; case $- in *x*) __otto_x=1;; esac; set +x; } 2>/dev/null`,
    `\\command printf '%s%s%s__' '${base}' 'E${options.seq}_' "$__otto_s"`,
  ].join('; ');
  const prefix = options.prefix ? [options.prefix] : [];
  return `${[...prefix, ...assignCommand(command), run].join('\n')}\n`;
}

/**
 * The line that prepares a fresh shell and answers with the ready marker: no prompts, no history,
 * and on a terminal no echo and no output post-processing (`raw`; `cooked` when stty is missing,
 * in which case the terminal turns `\n` into `\r\n`).
 */
export function readyProbe(token: string, hasPty: boolean): string {
  const base = `__OTTO_${token}_`;
  const terminal = hasPty
    ? `${RAW_TERMINAL} && __otto_m=raw || __otto_m=cooked; \\command set +o emacs 2>/dev/null; \\command set +o vi 2>/dev/null; `
    : '__otto_m=raw; ';
  return `${terminal}${QUIET_SHELL}; \\command printf '\\n%s%s_%s_%s__\\n' '${base}' 'READY' "$__otto_m" "$$"\n`;
}

/** Puts a terminal back in raw mode (no echo, no output post-processing), as the ready probe did. */
export const RAW_TERMINAL = 'stty -echo -opost 2>/dev/null';

/** The line that asks a shell whether it is back at its prompt after an interrupt. */
export function recoveryProbe(token: string, seq: number): string {
  return `\n{ set +x; } 2>/dev/null; \\command printf '%s%s%s__\\n' '__OTTO_${token}_' 'R${seq}_' "$?"\n`;
}
