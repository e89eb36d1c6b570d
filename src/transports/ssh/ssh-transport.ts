import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { Logger } from '../../common/logger.js';
import { joinArgv } from '../../common/quote.js';
import { ConnectionError } from '../../errors.js';
import { childSignalScript } from '../interrupt-script.js';
import type {
  ExecOptions,
  ExecOutcome,
  ShellChannel,
  ShellChannelOptions,
  Transport,
} from '../transport.js';
import { ChannelSlots } from './channel-slots.js';
import { HopChain } from './hop-chain.js';
import { collectExec, openExecChannel, sshReason, toError } from './ssh-exec.js';
import { createExecStop, withEnv } from './ssh-exec-stop.js';
import { SshShellChannel } from './ssh-shell-channel.js';
import {
  describeChain,
  normalizeSshTarget,
  type ResolvedSshTarget,
  type SshTarget,
} from './ssh-target.js';

/** Options of an {@link SshTransport} besides its target. */
export interface SshTransportOptions {
  /** Receives the stderr of shells without a PTY, at debug level. @default none */
  logger?: Logger;
}

const SIDE_COMMAND_TIMEOUT_MS = 10_000;

/**
 * One SSH connection (through any hops) to a host: shell channels for sessions, exec channels for
 * direct commands, tunnels, and SFTP. It connects on first use, once however many callers ask at
 * the same time, and connects again on the next use after the connection dropped. Session
 * channels beyond `maxChannels` wait for a free one.
 * @example
 * await using ssh = new SshTransport({ host: '127.0.0.1', port: 2222, username: 'otto', password: 'otto' });
 * const { exitCode, stdout } = await ssh.exec('uname -r', { timeoutMs: 5000 });
 */
export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly target: ResolvedSshTarget;
  /** The chain for messages: `otto@10.0.0.5:22 via root@127.0.0.1:32771`. */
  readonly address: string;
  private readonly slots: ChannelSlots;
  private chain?: HopChain;
  private opening?: Promise<HopChain>;

  constructor(
    target: SshTarget,
    private readonly options: SshTransportOptions = {},
  ) {
    this.target = normalizeSshTarget(target);
    this.address = describeChain(this.target);
    this.slots = new ChannelSlots(this.target.maxChannels);
  }

  /** Connects (every hop, then the target) unless connected already. */
  async open(): Promise<void> {
    await this.connection();
  }

  /** Opens a shell channel: the login shell on a PTY, or `options.shell` (default `sh`) over pipes. */
  async openShell(options: ShellChannelOptions): Promise<ShellChannel> {
    const { channel, release } = await this.openSessionChannel((client) =>
      options.pty ? openPtyShell(client, options) : openExecChannel(client, options.shell ?? 'sh'),
    );
    const chain = this.chain;
    return new SshShellChannel(channel, options.pty, {
      runSideCommand: (commandLine) => this.runSideCommand(commandLine),
      childSignalScript,
      endReason: () => (chain?.isClosed ? undefined : (chain?.dropReason ?? this.channelLost())),
      release,
      logger: this.options.logger,
    });
  }

  /**
   * Runs one command on a new exec channel, stdin closed. A string is one command line for the
   * login shell (as `ssh host 'cmd'` does); an array is argv, quoted for a POSIX shell.
   */
  async exec(command: string | readonly string[], options: ExecOptions): Promise<ExecOutcome> {
    const shown = typeof command === 'string' ? command : joinArgv(command);
    const stop = createExecStop(options, shown, this.address);
    try {
      const { channel, release } = await this.openSessionChannel(
        (client) => openExecChannel(client, withEnv(shown, options.env)),
        stop.signal,
      );
      try {
        return await collectExec(channel, options, stop.signal, (why, output) =>
          why === 'stopped' ? stop.error(output) : stop.lostError(output, this.chain?.dropReason),
        );
      } finally {
        release();
      }
    } catch (error) {
      if (stop.signal.aborted) return stop.unfinishedOutcome();
      throw error;
    } finally {
      stop.dispose();
    }
  }

  /** Opens a TCP tunnel (`direct-tcpip`) from the host to `host:port`, as `ssh -W` does. */
  async forwardOut(host: string, port: number): Promise<Duplex> {
    const client = await this.connection();
    return this.tunnel(`${host}:${port}`, (callback) =>
      client.forwardOut('127.0.0.1', 0, host, port, callback),
    );
  }

  /** Opens a stream to a Unix socket on the host, e.g. `/var/run/docker.sock`. */
  async openUnixSocket(path: string): Promise<Duplex> {
    const client = await this.connection();
    return this.tunnel(path, (callback) => client.openssh_forwardOutStreamLocal(path, callback));
  }

  /** Starts an SFTP session; it holds a channel slot until it ends. */
  async openSftp(): Promise<SFTPWrapper> {
    const { channel, release } = await this.openSessionChannel(
      (client) =>
        new Promise<SFTPWrapper>((resolve, reject) =>
          client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp))),
        ),
    ).catch((error: Error) => {
      throw new ConnectionError(
        'SFTP_UNAVAILABLE',
        `Could not start SFTP on ${this.address} [ssh]: ${sshReason(error)}.`,
        { where: this.address, cause: error },
      );
    });
    channel.once('close', release);
    return channel;
  }

  /** Opens an exec channel with stdin left open (for protocols such as scp); it holds a slot until it closes. */
  async openExecStream(commandLine: string): Promise<ClientChannel> {
    const { channel, release } = await this.openSessionChannel((client) =>
      openExecChannel(client, commandLine),
    );
    channel.once('close', release);
    return channel;
  }

  /** Closes the connection and every hop, the target first; idempotent. Later calls reconnect. */
  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    const chain = this.chain;
    this.chain = undefined;
    await chain?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async connection(): Promise<Client> {
    if (this.chain?.isOpen) return this.chain.client;
    this.opening ??= HopChain.open(this.target)
      .then((chain) => {
        chain.onDrop(() => {
          if (this.chain === chain) this.chain = undefined;
        });
        this.chain = chain;
        return chain;
      })
      .finally(() => (this.opening = undefined));
    return (await this.opening).client;
  }

  /**
   * Takes a channel slot, then opens a session channel. A connection found dead on the way is
   * reopened once, so a call right after a drop does not fail.
   */
  private async openSessionChannel<
    C extends { once(event: 'close', listener: () => void): unknown },
  >(
    open: (client: Client) => Promise<C>,
    signal?: AbortSignal,
  ): Promise<{ channel: C; release: () => void }> {
    const release = await this.slots.acquire(signal);
    try {
      return { channel: await this.openWithRetry(open, signal), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private async openWithRetry<C>(
    open: (client: Client) => Promise<C>,
    signal?: AbortSignal,
  ): Promise<C> {
    for (let attempt = 1; ; attempt++) {
      const client = await abortable(this.connection(), signal);
      try {
        return await open(client);
      } catch (error) {
        if (attempt === 1 && !this.chain?.isOpen) continue;
        throw new ConnectionError(
          'CHANNEL_FAILED',
          `Could not open an SSH channel on ${this.address} [ssh]: ${sshReason(toError(error))}.`,
          { where: this.address, cause: error },
        );
      }
    }
  }

  private tunnel(
    destination: string,
    open: (callback: (error: Error | undefined, channel: ClientChannel) => void) => void,
  ): Promise<Duplex> {
    return new Promise((resolve, reject) =>
      open((error, channel) => {
        if (!error) return resolve(channel);
        reject(
          new ConnectionError(
            'FORWARD_FAILED',
            `Could not open a tunnel to ${destination} through ${this.address} [ssh]: ${sshReason(error)}.`,
            { where: this.address, operation: `forward to ${destination}`, cause: error },
          ),
        );
      }),
    );
  }

  private channelLost(): ConnectionError {
    return new ConnectionError(
      'CHANNEL_LOST',
      `The shell channel on ${this.address} [ssh] closed without an exit status: the connection dropped or the server ended the session.`,
      { where: this.address },
    );
  }

  private async runSideCommand(commandLine: string): Promise<void> {
    const outcome = await this.exec(commandLine, { timeoutMs: SIDE_COMMAND_TIMEOUT_MS });
    if (outcome.error) throw outcome.error;
  }
}

function openPtyShell(client: Client, options: ShellChannelOptions): Promise<ClientChannel> {
  const window = {
    term: options.term ?? 'dumb',
    cols: options.cols ?? 200,
    rows: options.rows ?? 50,
  };
  return new Promise((resolve, reject) => {
    try {
      client.shell(window, (error, channel) => (error ? reject(error) : resolve(channel)));
    } catch (error) {
      reject(toError(error));
    }
  });
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
