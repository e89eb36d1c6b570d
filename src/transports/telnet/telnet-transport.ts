import type { Logger } from '../../common/logger.js';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { ClosedError, ConnectionError } from '../../errors.js';
import type {
  ShellChannel,
  ShellChannelOptions,
  ShellTransport,
  TransportOptions,
} from '../transport.js';
import { connectFailureAt } from '../tcp-opener.js';
import { TelnetConnection, type TelnetTerminal } from './telnet-connection.js';
import { TelnetControl } from './telnet-control.js';
import { logIn } from './telnet-login.js';
import { TelnetShellChannel } from './telnet-shell-channel.js';
import {
  describeTelnetAddress,
  normalizeTelnetTarget,
  type ResolvedTelnetTarget,
  type TelnetTarget,
} from './telnet-target.js';

/** Options of a {@link TelnetTransport}. */
export interface TelnetTransportOptions extends TransportOptions {
  /** Receives debug lines (never a password). @default none */
  logger?: Logger;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 1000;
const DEFAULT_SIGNAL_TIMEOUT_MS = 10_000;

/**
 * The transport to a host that only speaks telnet: every shell is a connection of its own
 * (through `target.tcp`, so a hop chain works), negotiated and logged in, on the server's
 * terminal. One more logged-in connection, opened on first need, runs the kill and signal
 * scripts that a hang-up alone cannot replace. There is no `exec`: the hosts layer serves
 * oneshots from a pool of shells.
 * @example
 * await using telnet = new TelnetTransport({ host: '10.0.0.5', user: 'otto', password: 'otto' });
 * const channel = await telnet.openShell({ pty: true });
 */
export class TelnetTransport implements ShellTransport {
  readonly kind = 'telnet' as const;
  readonly target: ResolvedTelnetTarget;
  readonly address: string;
  readonly place: Place;
  private readonly shells = new Set<TelnetShellChannel>();
  private control?: Promise<TelnetControl>;
  private closing?: Promise<void>;
  /** Set once closing closed the control connection: no new one may open after that. */
  private isControlClosed = false;

  constructor(
    target: TelnetTarget | ResolvedTelnetTarget,
    private readonly options: TelnetTransportOptions = {},
  ) {
    this.target = normalizeTelnetTarget(target);
    this.address = describeTelnetAddress(this.target);
    this.place = {
      host: options.hostId ?? this.target.name ?? this.address,
      kind: this.kind,
      transport: this.address,
    };
  }

  /** Logs in the control connection, so that a wrong password or a dead server shows here. */
  async open(): Promise<void> {
    this.checkOpen('open the connection');
    await this.controlShell();
  }

  /** A new connection, logged in, as a shell channel; `pty` is moot (telnet is a terminal). */
  async openShell(options: ShellChannelOptions): Promise<ShellChannel> {
    this.checkOpen('open a shell');
    const terminal = {
      term: options.term ?? this.target.term,
      cols: options.cols ?? this.target.cols,
      rows: options.rows ?? this.target.rows,
    };
    const { connection, shellPid } = await this.connect(terminal);
    const channel = new TelnetShellChannel(connection, shellPid, {
      runSideScript: (script) => this.runSideScript(script),
      endReason: (error) => this.hungUp(error),
      onGone: (gone) => this.shells.delete(gone),
      closeTimeoutMs: this.options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      logger: this.options.logger,
    });
    this.shells.add(channel);
    if (this.closing) await channel.close();
    this.checkOpen('open a shell');
    return channel;
  }

  /** Runs a POSIX sh script on the control connection and resolves its output. */
  async runScript(
    script: string,
    timeoutMs = this.options.signalTimeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS,
  ): Promise<string> {
    this.checkOpen('run a control script');
    return this.runSideScript(script, timeoutMs);
  }

  /** Closes every shell (ending what runs in them), then the control connection. Final. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutdown(): Promise<void> {
    await Promise.all([...this.shells].map((shell) => shell.close()));
    const control = await this.control?.catch(() => undefined);
    this.isControlClosed = true;
    control?.close();
  }

  /** One connection, negotiated and logged in; cut again when the login fails. */
  private async connect(
    terminal: TelnetTerminal,
  ): Promise<{ connection: TelnetConnection; shellPid: number }> {
    const { tcp, host, port, connectTimeoutMs } = this.target;
    const stream = await tcp.open(host, port, { timeoutMs: connectTimeoutMs }).catch((error) => {
      throw connectFailureAt(this.place, error);
    });
    const connection = new TelnetConnection(stream, terminal);
    try {
      const shellPid = await logIn(connection, this.target, this.place);
      this.options.logger?.debug(`telnet: logged in on ${this.address}, shell ${shellPid}`);
      return { connection, shellPid };
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  /** A control script for the shells: also while closing, which is when their kills run. */
  private async runSideScript(
    script: string,
    timeoutMs = this.options.signalTimeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS,
  ): Promise<string> {
    const control = await this.controlShell();
    return control.run(script, timeoutMs);
  }

  private controlShell(): Promise<TelnetControl> {
    if (this.isControlClosed)
      return Promise.reject(
        new ClosedError(
          `Cannot run a control script on ${describePlace(this.place)}: the transport is closed.`,
        ),
      );
    const current = this.control;
    if (current) {
      // A broken control connection is replaced by a new one on the next need.
      return current.then(
        (control) => (control.isUsable ? control : this.openControl()),
        () => this.openControl(),
      );
    }
    return this.openControl();
  }

  private openControl(): Promise<TelnetControl> {
    const opening = (async () => {
      const { connection } = await this.connect(this.target);
      const control = new TelnetControl(connection, this.place);
      await control.prepare(this.options.signalTimeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS);
      return control;
    })();
    this.control = opening;
    return opening;
  }

  private hungUp(error: Error | undefined): ConnectionError {
    return new ConnectionError(
      'CONNECTION_LOST',
      `The telnet connection of ${describePlace(this.place)} ended: the server hung up (the shell exited, or the server or the network went away)${error ? `: ${error.message}` : ''}.`,
      { ...placeDetails(this.place), ...(error ? { cause: error } : {}) },
    );
  }

  private checkOpen(call: string): void {
    if (this.closing)
      throw new ClosedError(
        `Cannot ${call} on ${describePlace(this.place)}: the transport is closed.`,
      );
  }
}
