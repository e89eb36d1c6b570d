import type { ClientChannel } from 'ssh2';
import type { SshTransport } from '../transports/ssh/ssh-transport.js';
import { MERGE_FUNCTION, STAGE_PRELUDE } from './remote-scripts.js';

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
 * The command that opens an scp put: the shared {@link STAGE_PRELUDE} (destination and staging
 * directory `$2`, then `ok`), then the scp sink (`-p`: modes exactly as sent) receiving into the
 * staging directory.
 */
export const SCP_PUT_PRELUDE = `${STAGE_PRELUDE}\nexec scp -r -d -p -t -- "$stage"`;

/** The merge of a complete staging tree into place (see {@link MERGE_FUNCTION}). */
export const SCP_MERGE_FUNCTION = MERGE_FUNCTION;
