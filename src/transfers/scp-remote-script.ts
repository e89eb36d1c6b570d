import type { ClientChannel } from 'ssh2';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';

/** What is known of an exec channel's end: its exit code and the tail of its stderr. */
export interface ExecStreamWatch {
  /** Resolves with the exit code when the channel closes (-1 without one). */
  exited: Promise<number>;
  stderr: () => string;
  /** Why the remote side stopped answering, for messages: its last stderr line, or a guess. */
  endedReason: () => string;
}

/** Starts listening to an exec channel's stderr and exit status. */
export function watchExecStream(channel: ClientChannel): ExecStreamWatch {
  let stderr = '';
  channel.stderr.on(
    'data',
    (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)),
  );
  let exitCode = -1;
  channel.once('exit', (code: number | null) => (exitCode = code ?? -1));
  const exited = new Promise<number>((resolve) => channel.once('close', () => resolve(exitCode)));
  return {
    exited,
    stderr: () => stderr,
    endedReason: () =>
      stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^scp: /, '') ||
      'the remote scp ended without answering (is scp installed there?)',
  };
}

/** Outcome of {@link runRemoteScript}. */
export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a shell script on the host by feeding it to `sh` on stdin, so that its length is not
 * bounded by the command line limit (128 KiB for one argument on Linux). Aborting `signal`
 * closes the channel (the script gets SIGHUP-like EOF) and rejects.
 */
export async function runRemoteScript(
  transport: SshTransport,
  script: string,
  signal?: AbortSignal,
): Promise<ScriptResult> {
  signal?.throwIfAborted();
  const channel = await transport.openExecStream('sh -s');
  const onAbort = (): void => void channel.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const watch = watchExecStream(channel);
    let stdout = '';
    channel.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    channel.end(`${script}\n`);
    const exitCode = await watch.exited;
    signal?.throwIfAborted();
    return { exitCode, stdout, stderr: watch.stderr() };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The command that opens an scp put: it counts the missing directories of `$1` (the destination,
 * then its parents in `$3…`, deepest first) and prints that count, makes the destination
 * (`mkdir -p`) and the staging directory `$2` inside it, prints `ok`, and becomes the scp sink
 * (`-p`: modes exactly as sent) receiving into the staging directory. A failure prints a line
 * naming it (`notdir`, `dest <mkdir's message>`, `stage <mkdir's message>`) instead of `ok`.
 */
export const SCP_PUT_PRELUDE = [
  'dest=$1 stage=$2; shift 2; n=0',
  'for d do [ -e "$d" ] && break; n=$((n+1)); done; echo "$n"',
  'if [ -e "$dest" ] && [ ! -d "$dest" ]; then echo notdir; exit 1; fi',
  'e=$(mkdir -p -- "$dest" 2>&1) || { echo "dest $e" | head -n 1; exit 1; }',
  'e=$(mkdir -m 700 -- "$stage" 2>&1) || { echo "stage $e" | head -n 1; exit 1; }',
  'echo ok; exec scp -r -d -p -t -- "$stage"',
].join('\n');

/**
 * Moves a staging directory's tree (`$1`) into the destination (`$2`): entries that are new move
 * whole (one rename), directories that exist are merged into, files replace files. Prints
 * `isdir <path>` and stops when a file would replace a directory, `mv <path>` when a move fails.
 * The staging directory is removed at the end.
 */
export const SCP_MERGE_FUNCTION = [
  'merge() {',
  '  for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do',
  '    [ -e "$e" ] || [ -L "$e" ] || continue',
  '    t="$2/${e##*/}"',
  '    if [ -d "$e" ] && [ -d "$t" ] && [ ! -L "$t" ]; then merge "$e" "$t" || return 1',
  '    elif [ -d "$t" ] && [ ! -L "$t" ]; then echo "isdir $t"; return 1',
  '    else mv -f -- "$e" "$t" || { echo "mv $t"; return 1; }; fi',
  '  done',
  '}',
].join('\n');
