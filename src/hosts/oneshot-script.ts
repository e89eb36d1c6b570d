import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { describePlace, type Place } from '../common/place.js';
import { joinArgv, quotePosix } from '../common/quote.js';
import type { Argv } from '../transports/transport.js';

/**
 * A oneshot on a framed shell session, where stdout and stderr share one stream. The command runs
 * in a subshell (its `cd`, `exit` and variables stay there), its stderr goes through `head -c
 * <max>` into the session's stderr file in /tmp on the host (bounded however much it writes), and
 * once it ended a separator line from two printf arguments is printed, then the file's content.
 * So over such a transport a oneshot's stderr arrives after its stdout; `output` holds stdout then
 * stderr. Each session has its own pair of files, overwritten by each oneshot (removing them every
 * time would cost a process): the pool removes them when it closes the session.
 *
 *   : >"$f.rc"; { { ( <env> <command> ); echo $? >"$f.rc"; } 2>&1 1>&3 3>&- | { head -c <max> >"$f"; exec cat >/dev/null; }; } 3>&1
 *   read -r r <"$f.rc"; printf '%s%s\n' '__OTTO_ERR_' '<token>__'; [ -s "$f" ] && cat "$f"; (exit $r)
 */

/** The files on the host where one pool session's oneshots keep their stderr and exit status. */
export interface OneshotFiles {
  readonly stderr: string;
  readonly status: string;
}

/** A new pair of oneshot files (random names in /tmp), for one session. */
export function newOneshotFiles(): OneshotFiles {
  const base = `/tmp/.otto-oneshot-${randomBytes(8).toString('hex')}`;
  return { stderr: base, status: `${base}.rc` };
}

/** A oneshot's command wrapped for a framed session, and how to split what it prints. */
export interface OneshotScript {
  /** The shell text to run on the session. */
  readonly script: string;
  /** What stdout ends with: the separator line before stderr. */
  readonly separator: Buffer;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The command line of a oneshot: `command` (a line or argv) after its environment's exports.
 * Throws a `ConfigError` for an empty argv or a bad variable name.
 */
export function oneshotLine(
  command: string | Argv,
  env: Record<string, string> | undefined,
  place: Place,
): string {
  const line = typeof command === 'string' ? command : argvLine(command, place);
  return `${envExports(env ?? {}, place)}${line}`;
}

/** Wraps a {@link oneshotLine} for a framed session whose oneshots use `files`. */
export function buildOneshotScript(
  line: string,
  options: { maxStderrBytes: number; files: OneshotFiles },
): OneshotScript {
  const token = randomBytes(8).toString('hex');
  const { stderr, status } = options.files;
  const script = [
    // Emptied first: a command killed before its status was written reads as 255, not as the last one's.
    `__otto_f=${stderr} __otto_s=${status}; : >"$__otto_s"`,
    `{ { ( ${line}\n); echo $? >"$__otto_s"; } 2>&1 1>&3 3>&- | { head -c ${options.maxStderrBytes} >"$__otto_f"; exec cat >/dev/null; }; } 3>&1`,
    `__otto_r=255; read -r __otto_r <"$__otto_s"`,
    `printf '%s%s\\n' '__OTTO_ERR_' '${token}__'`,
    // `test -s` is a builtin: a command that wrote no stderr (the usual case) spawns no `cat`.
    `[ -s "$__otto_f" ] && cat "$__otto_f"; (exit $__otto_r)`,
  ].join('\n');
  return { script, separator: Buffer.from(`__OTTO_ERR_${token}__\n`) };
}

/** A command that removes oneshot files (of closed sessions). */
export function cleanupScript(paths: readonly string[]): string {
  return `rm -f ${paths.map((path) => quotePosix(path)).join(' ')} 2>/dev/null; true`;
}

function argvLine(argv: Argv, place: Place): string {
  if (argv.length === 0)
    throw new ConfigError(
      'INVALID_ARGV',
      `Cannot run an empty argument vector on ${describePlace(place)}: give the program first.`,
    );
  return joinArgv(argv);
}

function envExports(env: Record<string, string>, place: Place): string {
  const names = Object.keys(env);
  const bad = names.filter((name) => !NAME_PATTERN.test(name));
  if (bad.length > 0)
    throw new ConfigError(
      'INVALID_ENV',
      `Invalid environment variable name${bad.length > 1 ? 's' : ''} ${bad.map((name) => JSON.stringify(name)).join(', ')} for a oneshot on ${describePlace(place)}: names are letters, digits and underscores, not starting with a digit.`,
    );
  return names.map((name) => `export ${name}=${quotePosix(env[name]!)}; `).join('');
}

/**
 * Splits a oneshot's stream into stdout (before the separator) and stderr (after it), at any
 * chunk split. Only bytes that may be the start of the separator are held back; everything else
 * is passed on as it arrives.
 */
export class OneshotSplitter {
  private held = Buffer.alloc(0);
  private isStderr = false;

  constructor(
    private readonly separator: Buffer,
    private readonly emit: (chunk: Buffer, stream: 'stdout' | 'stderr') => void,
  ) {}

  /** True once the separator was seen (the command ended and its stderr follows). */
  get hasEnded(): boolean {
    return this.isStderr;
  }

  push(chunk: Buffer): void {
    if (this.isStderr) return this.emitNonEmpty(chunk, 'stderr');
    const bytes = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const at = bytes.indexOf(this.separator);
    if (at >= 0) {
      this.held = Buffer.alloc(0);
      this.emitNonEmpty(bytes.subarray(0, at), 'stdout');
      this.isStderr = true;
      return this.emitNonEmpty(bytes.subarray(at + this.separator.length), 'stderr');
    }
    const keep = this.partialSeparatorAt(bytes);
    this.emitNonEmpty(bytes.subarray(0, bytes.length - keep), 'stdout');
    this.held = Buffer.from(bytes.subarray(bytes.length - keep));
  }

  /** Passes on what was held back (a stopped command's stdout may end with a separator's start). */
  flush(): void {
    if (!this.isStderr) this.emitNonEmpty(this.held, 'stdout');
    this.held = Buffer.alloc(0);
  }

  /** Length of the longest end of `bytes` that is a start of the separator. */
  private partialSeparatorAt(bytes: Buffer): number {
    const longest = Math.min(bytes.length, this.separator.length - 1);
    for (let length = longest; length > 0; length--) {
      const start = bytes.length - length;
      if (bytes.compare(this.separator, 0, length, start) === 0) return length;
    }
    return 0;
  }

  private emitNonEmpty(chunk: Buffer, stream: 'stdout' | 'stderr'): void {
    if (chunk.length > 0) this.emit(chunk, stream);
  }
}
