import { setMaxListeners } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { Deadline } from '../../common/deadline.js';
import type { Logger } from '../../common/logger.js';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { joinArgv } from '../../common/quote.js';
import { ClosedError, ConnectionError } from '../../errors.js';
import type {
  Argv,
  ExecOptions,
  ExecOutcome,
  ShellChannel,
  ShellChannelOptions,
  Transport,
  TransportOptions,
} from '../transport.js';
import type { ChannelSlotsStats } from './channel-slots.js';
import { HopChain } from './hop-chain.js';
import { SessionChannels } from './session-channels.js';
import { openExecChannel, sshReason, toError } from './ssh-exec.js';
import { ExecRunner } from './ssh-exec-runner.js';
import { plainShellCommand, SshShellChannel } from './ssh-shell-channel.js';
import {
  describeChain,
  normalizeSshTarget,
  type ResolvedSshTarget,
  type SshTarget,
} from './ssh-target.js';

/** Options of an {@link SshTransport} besides its target. */
export interface SshTransportOptions extends TransportOptions {
  /** Receives the stderr of shells without a PTY and channel retries, at debug level. @default none */
  logger?: Logger;
}

/** Options of opening a shell, a stream or SFTP: the caller's deadline and signal. */
export interface SshOpenOptions {
  /** Give up opening after this long. @default none (connecting and opening have their own limits) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A shell channel's options with the caller's deadline and signal. */
export type SshShellOptions = ShellChannelOptions & SshOpenOptions;

/**
 * One SSH connection (through any hops) to a host: shell channels for sessions, exec channels for
 * direct commands, tunnels, and SFTP. It connects on first use, once however many callers ask at
 * the same time, and connects again on the next use after the connection dropped. Session
 * channels beyond what the server accepts wait for a free one (see ChannelSlots). `close()` is
 * final: it ends every shell and command it started on the host, and every later call rejects
 * with a `ClosedError`.
 * @example
 * await using ssh = new SshTransport({ host: '127.0.0.1', port: 2222, username: 'otto', password: 'otto' });
 * const { exitCode, stdout } = await ssh.exec('uname -r', { timeoutMs: 5000 });
 */
export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly target: ResolvedSshTarget;
  /** The chain for messages: `otto@10.0.0.5:22 via root@127.0.0.1:32771`. */
  readonly address: string;
  readonly place: Place;
  private readonly closeTimeoutMs: number;
  private readonly signalTimeoutMs: number;
  private readonly channels: SessionChannels;
  private chain?: HopChain;
  private opening?: Promise<HopChain>;
  private lastDrop?: { error: Error; why: string };
  private readonly closer = new AbortController();
  private closing?: Promise<void>;
  private readonly shells = new Set<SshShellChannel>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly commands: ExecRunner;

  constructor(
    target: SshTarget,
    private readonly options: SshTransportOptions = {},
  ) {
    this.target = normalizeSshTarget(target);
    this.address = describeChain(this.target);
    this.place = {
      host: options.hostId ?? this.target.name ?? this.address,
      kind: this.kind,
      transport: this.address,
    };
    // Every command in flight listens for the close: hundreds at once are normal.
    setMaxListeners(0, this.closer.signal);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 1000;
    this.signalTimeoutMs = options.signalTimeoutMs ?? 10_000;
    this.channels = new SessionChannels(this.target.maxChannels, this.target.connectTimeoutMs, {
      connection: ({ reconnect }) => this.connection(reconnect),
      isConnected: () => this.chain?.isOpen === true,
      place: this.place,
      logger: options.logger,
    });
    this.commands = new ExecRunner({
      channels: this.channels,
      place: this.place,
      closeTimeoutMs: this.closeTimeoutMs,
      signalTimeoutMs: this.signalTimeoutMs,
      stopSignal: (signal) => this.stopSignal(signal),
      lastDrop: () => this.lastDrop,
      logger: options.logger,
    });
  }

  /** How the channel slots stand: the adapted limit, what is taken and waiting, refusals so far. */
  get channelStats(): ChannelSlotsStats {
    return this.channels.slots.stats;
  }

  /** Connects (every hop, then the target) unless connected already. */
  async open(): Promise<void> {
    this.assertOpen('connect');
    await this.connection(true);
  }

  /** Opens a shell channel: the login shell on a PTY, or `options.shell` (default `sh`) over pipes. */
  async openShell(options: SshShellOptions): Promise<ShellChannel> {
    this.assertOpen('open a shell');
    const { channel, release } = await this.openChannel(
      'open a shell',
      (client) =>
        options.pty
          ? openPtyShell(client, options)
          : openExecChannel(client, plainShellCommand(options.shell)),
      options,
      (late) => late.close(),
    );
    const shell = new SshShellChannel(channel, options.pty, {
      runSideScript: (script) => this.commands.runSideScript(script),
      endReason: () => (this.closing ? undefined : (this.lastDrop?.error ?? this.channelLost())),
      release,
      onEnded: (ended) => this.onShellEnded(ended),
      onClosed: (closed) => this.shells.delete(closed),
      closeTimeoutMs: this.closeTimeoutMs,
      logger: this.options.logger,
    });
    this.shells.add(shell);
    return shell;
  }

  /**
   * Runs one command on a new exec channel, stdin closed. A string is one command line for the
   * login shell (as `ssh host 'cmd'` does); an array is argv, quoted for a POSIX shell. Stopped by
   * its deadline, its caller's signal or `close()`, it returns exit code -1 with the output so far
   * and leaves nothing running: the command's processes carry a mark (`OTTO_EXEC_ID` in their
   * environment) by which whatever outlived the channel is found and killed.
   */
  async exec(command: string | Argv, options: ExecOptions): Promise<ExecOutcome> {
    this.assertOpen('run a command');
    return this.track(
      this.commands.run(typeof command === 'string' ? command : joinArgv(command), options),
    );
  }

  /** Opens a TCP tunnel (`direct-tcpip`) from the host to `host:port`, as `ssh -W` does. */
  async forwardOut(host: string, port: number): Promise<Duplex> {
    this.assertOpen(`open a tunnel to ${host}:${port}`);
    const client = await this.connection(true);
    return this.tunnel(`${host}:${port}`, (callback) =>
      client.forwardOut('127.0.0.1', 0, host, port, callback),
    );
  }

  /** Opens a stream to a Unix socket on the host, e.g. `/var/run/docker.sock`. */
  async openUnixSocket(path: string): Promise<Duplex> {
    this.assertOpen(`open a stream to ${path}`);
    const client = await this.connection(true);
    return this.tunnel(path, (callback) => client.openssh_forwardOutStreamLocal(path, callback));
  }

  /** Starts an SFTP client; it holds a channel slot until it ends. */
  async openSftp(options: SshOpenOptions = {}): Promise<SFTPWrapper> {
    this.assertOpen('start SFTP');
    const { channel, release } = await this.openChannel(
      'start SFTP',
      (client) =>
        new Promise<SFTPWrapper>((resolve, reject) =>
          client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp))),
        ),
      options,
      (late) => late.end(),
    ).catch((error: Error) => {
      if (!(error instanceof ConnectionError && error.code === 'CHANNEL_FAILED')) throw error;
      const cause = error.cause instanceof Error ? error.cause : error;
      throw new ConnectionError(
        'SFTP_UNAVAILABLE',
        `Could not start SFTP on ${describePlace(this.place)}: ${sshReason(cause)}.`,
        { ...placeDetails(this.place), cause: error },
      );
    });
    channel.once('close', release);
    return channel;
  }

  /** Opens an exec channel with stdin left open (for protocols such as scp); it holds a slot until it closes. */
  async openExecStream(commandLine: string, options: SshOpenOptions = {}): Promise<ClientChannel> {
    this.assertOpen('open an exec stream');
    const { channel, release } = await this.openChannel(
      'open an exec stream',
      (client) => openExecChannel(client, commandLine),
      options,
      (late) => late.close(),
    );
    channel.once('close', release);
    return channel;
  }

  /**
   * Ends everything this transport started and closes the connection and every hop, the target
   * first: running commands are stopped (their outcome says so), shells are closed (their
   * processes killed), then the links are ended. Final: every later call rejects with a
   * `ClosedError`. Idempotent (a second call waits for the first) and bounded in time.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutdown(): Promise<void> {
    this.closer.abort('the SSH connection was closed');
    await Promise.all([
      ...[...this.running].map((work) => work.catch(() => undefined)),
      ...[...this.shells].map((shell) => shell.close()),
    ]);
    await Promise.all([...this.running].map((work) => work.catch(() => undefined)));
    const opening = this.opening;
    if (opening) {
      // A connection that lands after close is closed at once (see connection()).
      using wait = new Deadline({ timeoutMs: this.closeTimeoutMs });
      await wait.race(opening);
    }
    const chain = this.chain;
    this.chain = undefined;
    await chain?.close();
  }

  private assertOpen(call: string): void {
    if (this.closing) throw this.closedError(call);
  }

  private closedError(call: string): ClosedError {
    return new ClosedError(`Cannot ${call} on ${describePlace(this.place)}: it was closed.`, {
      ...placeDetails(this.place),
    });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }

  /** The caller's signal joined with this transport's close. */
  private stopSignal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.closer.signal]) : this.closer.signal;
  }

  private async connection(reconnect: boolean): Promise<Client> {
    if (this.chain?.isOpen) return this.chain.client;
    if (this.closing) throw this.closedError('connect');
    if (!reconnect && !this.opening)
      throw new ConnectionError(
        'CONNECTION_LOST',
        `Not connected to ${describePlace(this.place)}: the connection dropped.`,
        placeDetails(this.place),
      );
    this.opening ??= HopChain.open(this.target, {
      place: this.place,
      closeTimeoutMs: this.closeTimeoutMs,
    })
      .then((chain) => {
        if (this.closing) {
          void chain.close();
          throw this.closedError('connect');
        }
        chain.onDrop((error, why) => {
          this.lastDrop = { error, why };
          if (this.chain === chain) this.chain = undefined;
        });
        this.chain = chain;
        this.lastDrop = undefined;
        return chain;
      })
      .finally(() => (this.opening = undefined));
    return (await this.opening).client;
  }

  /** Takes a slot and opens a channel for a caller with its own deadline (shells, streams, SFTP). */
  private async openChannel<C>(
    call: string,
    open: (client: Client) => Promise<C>,
    options: SshOpenOptions,
    onLate: (channel: C) => void,
  ): Promise<{ channel: C; release: () => void }> {
    using deadline = new Deadline({
      timeoutMs: options.timeoutMs,
      signal: this.stopSignal(options.signal),
    });
    try {
      if (deadline.reason) throw toError(deadline.signal.reason);
      const opened = await this.channels.open(open, deadline, { onLate });
      if (!this.closing) return opened;
      onLate(opened.channel);
      opened.release();
      throw this.closedError(call);
    } catch (error) {
      if (this.closing) throw this.closedError(call);
      if (!deadline.reason) throw error;
      throw deadline.stopError('WAIT_TIMEOUT', `${toDoing(call)} on ${describePlace(this.place)}`, {
        ...placeDetails(this.place),
      });
    }
  }

  /** A shell that ended by itself (`exit`) may have left jobs: they are ended at once. */
  private onShellEnded(shell: SshShellChannel): void {
    if (shell.shellPid === undefined || !this.chain?.isOpen || this.closing) {
      this.shells.delete(shell);
      return;
    }
    void this.track(shell.close());
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
            `Could not open a tunnel to ${destination} through ${describePlace(this.place)}: ${sshReason(error)}.`,
            { ...placeDetails(this.place), operation: `forward to ${destination}`, cause: error },
          ),
        );
      }),
    );
  }

  private channelLost(): ConnectionError {
    return new ConnectionError(
      'CHANNEL_LOST',
      `The shell channel on ${describePlace(this.place)} closed without an exit status: the connection dropped or the server ended the session.`,
      placeDetails(this.place),
    );
  }
}

/** `open a shell` → `opening a shell`, for "Timed out after 500ms opening a shell on …". */
function toDoing(call: string): string {
  return call.replace(/^open /, 'opening ').replace(/^start /, 'starting ');
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
