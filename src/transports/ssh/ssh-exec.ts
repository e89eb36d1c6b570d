/**
 * One command on its own SSH exec channel. The channel's stdin is closed at once (the command
 * reads /dev/null), stdout and stderr arrive as separate streams, and the exit status or exit
 * signal arrives as a channel request before the channel closes. Failure modes: the connection
 * drops before the exit status (exitCode -1 with CONNECTION_LOST), or the caller stops it (timeout,
 * abort): then the command is sent SIGKILL where the server honours `signal` requests (OpenSSH
 * 7.9 and later) and the channel is closed, which hangs up on the command in any case.
 */
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import type { ExecOptions, ExecOutcome } from '../transport.js';

/** How long a stopped command's channel gets to close before we stop waiting for it. */
const STOP_GRACE_MS = 2000;

/** Builds the error of a command that did not finish, from the output it gave so far. */
export type UnfinishedError = (why: 'stopped' | 'lost', output: Buffer) => Error;

/** Opens an exec channel on a connection; `pty` asks for a pseudo-terminal. */
export function openExecChannel(
  client: Client,
  commandLine: string,
  pty = false,
): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(commandLine, { pty }, (error, channel) =>
        error ? reject(error) : resolve(channel),
      );
    } catch (error) {
      reject(toError(error));
    }
  });
}

/**
 * Collects a running exec channel's output until it closes. `stop` ends it early; its outcome
 * then has exitCode -1 and the error `unfinished('stopped', output)`.
 */
export function collectExec(
  channel: ClientChannel,
  options: Pick<ExecOptions, 'onOutput'>,
  stop: AbortSignal,
  unfinished: UnfinishedError,
): Promise<ExecOutcome> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const output: Buffer[] = [];
  const take = (stream: 'stdout' | 'stderr', list: Buffer[]) => (chunk: Buffer) => {
    list.push(chunk);
    output.push(chunk);
    options.onOutput?.(chunk, stream);
  };
  channel.on('data', take('stdout', stdout));
  channel.stderr.on('data', take('stderr', stderr));
  let exit: { exitCode: number; signal?: string } | undefined;
  channel.on('exit', (code: number | null, signal?: string) => {
    exit = code === null ? { exitCode: 128 + signalNumber(signal), signal } : { exitCode: code };
  });
  channel.end();
  return new Promise((resolve) => {
    let isStopped = false;
    const finish = (): void => {
      stop.removeEventListener('abort', onStop);
      const outcome = {
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        output: Buffer.concat(output),
      };
      if (exit && !isStopped) return resolve({ ...exit, ...outcome });
      resolve({
        exitCode: -1,
        ...outcome,
        error: unfinished(isStopped ? 'stopped' : 'lost', outcome.output),
      });
    };
    const onStop = (): void => {
      isStopped = true;
      killChannel(channel);
      setTimeout(finish, STOP_GRACE_MS).unref();
    };
    // A fast command's exit status can arrive before ssh2 hands us the channel, so the 'exit'
    // event fired with no listener; ssh2 repeats the status as the arguments of 'close'.
    channel.once('close', (code?: number | null, signal?: string) => {
      if (!exit && code !== undefined) {
        exit =
          code === null ? { exitCode: 128 + signalNumber(signal), signal } : { exitCode: code };
      }
      finish();
    });
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
  });
}

function killChannel(channel: ClientChannel): void {
  try {
    sendSignal(channel, 'KILL');
  } catch {
    // The channel is gone already: closing it is all that is left to do.
  }
  channel.close();
}

/** The parts of ssh2's channel that `signal()` uses, which its typings do not show. */
interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(channelId: number, signal: string): void } };
}

/**
 * Sends a `signal` channel request (OpenSSH runs killpg on the command's process group). ssh2's
 * `channel.signal()` sends nothing once stdin has been ended, which we do at once for every exec,
 * so the request goes through the protocol object in that case.
 */
export function sendSignal(channel: ClientChannel, signal: 'INT' | 'KILL'): void {
  if (channel.writable) {
    channel.signal(signal);
    return;
  }
  const { outgoing, _client: client } = channel as unknown as ChannelInternals;
  if (outgoing?.state !== 'open' && outgoing?.state !== 'eof') return;
  client?._protocol?.signal(outgoing.id, signal);
}

function signalNumber(signal: string | undefined): number {
  const number = signal ? constants.signals[signal as NodeJS.Signals] : undefined;
  return number ?? 1;
}

/** The value as an Error (ssh2 throws Errors, but a catch clause sees `unknown`). */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** An ssh2 error's message as a reason in our messages: `Connection refused`, without ssh2's prefixes. */
export function sshReason(error: Error): string {
  return error.message
    .replace(/^\(SSH\) /, '')
    .replace(/^Channel open failure: /, '')
    .replace(/\.$/, '');
}
