/**
 * One command on its own SSH exec channel. The channel's stdin is closed at once (the command
 * reads /dev/null), stdout and stderr arrive as separate streams, and the exit status or exit
 * signal arrives as a channel request before the channel closes. Failure modes: the connection
 * drops before the exit status (`lost`), or the caller stops it (deadline, abort: `stopped`):
 * the command is then sent SIGKILL by a `signal` request (OpenSSH 7.9 and later run killpg on
 * the command's process group, though not when the request beats the child's setsid, and never
 * on processes that left the group) and the channel is closed. What survives that is the
 * transport's to kill (see markedKillScript).
 */
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import type { ExecOutput } from '../../common/bounded-output.js';
import { raceDeadline } from '../../common/deadline.js';
import { toError } from '../../errors.js';

/** How a command's channel ended. */
export type ExecEnd =
  { kind: 'exited'; exitCode: number; signal?: string } | { kind: 'stopped' } | { kind: 'lost' };

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
 * Collects a running exec channel's output into `output` until the channel closes, after writing
 * `input` (if any) and ending stdin. `stop` ends it early: the command gets SIGKILL and the
 * channel is closed, and its close is awaited for at most `closeTimeoutMs`.
 */
export function collectExec(
  channel: ClientChannel,
  output: ExecOutput,
  stop: AbortSignal,
  options: { closeTimeoutMs: number; input?: string },
): Promise<ExecEnd> {
  channel.on('data', (chunk: Buffer) => output.push(chunk, 'stdout'));
  channel.stderr.on('data', (chunk: Buffer) => output.push(chunk, 'stderr'));
  let exit: { exitCode: number; signal?: string } | undefined;
  channel.on('exit', (code: number | null, signal?: string) => (exit = exitOf(code, signal)));
  // A fast command's exit status can arrive before ssh2 hands us the channel, so the 'exit'
  // event fired with no listener; ssh2 repeats the status as the arguments of 'close'.
  const closed = new Promise<void>((resolve) =>
    channel.once('close', (code?: number | null, signal?: string) => {
      if (!exit && code !== undefined) exit = exitOf(code, signal);
      resolve();
    }),
  );
  channel.end(options.input);
  return new Promise((resolve) => {
    let isStopped = false;
    const onStop = (): void => {
      isStopped = true;
      killChannel(channel);
      void raceDeadline(closed, options.closeTimeoutMs).then(() => resolve({ kind: 'stopped' }));
    };
    void closed.then(() => {
      stop.removeEventListener('abort', onStop);
      if (isStopped) return;
      resolve(exit ? { kind: 'exited', ...exit } : { kind: 'lost' });
    });
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
  });
}

function exitOf(code: number | null, signal: string | undefined): ExecEnd & { kind: 'exited' } {
  if (code !== null) return { kind: 'exited', exitCode: code };
  return { kind: 'exited', exitCode: 128 + signalNumber(signal), ...(signal ? { signal } : {}) };
}

/** Sends SIGKILL (where the server honours it) and closes the channel, which hangs up on the command. */
export function killChannel(channel: ClientChannel): void {
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

/** An ssh2 error's message as a reason in our messages: `Connection refused`, without ssh2's prefixes. */
export function sshReason(error: Error): string {
  return error.message
    .replace(/^\(SSH\) /, '')
    .replace(/^Channel open failure: /, '')
    .replace(/\.$/, '');
}

/**
 * True when the server refused to open a session channel (OpenSSH past MaxSessions answers
 * "open failed" with reason 2), as opposed to a broken connection: such an open is worth trying
 * again a moment later. Only for session channels: for a tunnel, reason 2 means its destination
 * refused the connection.
 */
export function isChannelRefusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const reason = (error as Error & { reason?: unknown }).reason;
  // RFC 4254, 5.1: 1 administratively prohibited, 2 connect failed, 4 resource shortage.
  return (
    error.message.startsWith('(SSH) Channel open failure:') &&
    (reason === 1 || reason === 2 || reason === 4)
  );
}

export { toError };
