import { shortCommand, type Place } from '../../common/place.js';
import { joinArgv } from '../../common/quote.js';
import type {
  Argv,
  ExecOptions,
  ExecOutcome,
  ShellChannelOptions,
  Transport,
  TransportOptions,
} from '../../transports/transport.js';
import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { inspectContainer, type ContainerState } from '../containers/started-container.js';
import { openDockerShell, type DockerShellChannel } from './docker-shell-channel.js';
import { runExecCommand, type ExecTarget } from './exec-command.js';
import { notRunning, toExecError, transportClosed } from './exec-failures.js';

/** Options of a {@link DockerExecTransport}. */
export interface DockerExecTransportOptions extends TransportOptions {
  /** User that commands and shells run as. @default the container's user */
  user?: string;
  /** Receives the stderr of shells opened without a TTY (their channel delivers stdout). @default dropped */
  onShellStderr?: (chunk: Buffer) => void;
  /** Close the engine client too when the transport closes (it was made for this transport). @default false */
  closeEngine?: boolean;
}

/** Why the commands under way stop when the transport closes, as their `AbortedError` says. */
const CLOSED_REASON = 'the transport was closed';

/**
 * The transport to one container through the Docker Engine API: shell channels are long-lived
 * execs of `sh` with stdin attached, commands are one exec each. Works with any engine an
 * {@link EngineClient} reaches (local socket, `DOCKER_HOST`, a socket forwarded over SSH).
 * Closing is final, and ends every shell and command it started, with what they started.
 * @example
 * await using transport = new DockerExecTransport(engine, container.id);
 * const { exitCode, stdout } = await transport.exec('uname -r', { timeoutMs: 10_000 });
 */
export class DockerExecTransport implements Transport {
  readonly kind = 'docker-exec' as const;
  private state: ContainerState | undefined;
  private opening: Promise<ContainerState> | undefined;
  private closing: Promise<void> | undefined;
  private readonly shells = new Set<DockerShellChannel>();
  /** The commands under way, by the controller that stops them. */
  private readonly running = new Map<AbortController, Promise<ExecOutcome>>();

  constructor(
    readonly engine: EngineClient,
    readonly containerId: string,
    private readonly options: DockerExecTransportOptions = {},
  ) {}

  /** The host this transport reaches, for messages. */
  get place(): Place {
    return {
      host: this.options.hostId ?? this.containerName,
      kind: this.kind,
      transport: this.address,
    };
  }

  /** The container's name once opened, else the reference it was given by (an id shortened). */
  get containerName(): string {
    return this.state?.name ?? shortReference(this.containerId);
  }

  /** `container <name> id <id12> at <engine endpoint>`: no parentheses, since messages put it in some. */
  get address(): string {
    const name = this.state
      ? `${this.state.name} id ${this.state.id.slice(0, 12)}`
      : this.containerName;
    return `container ${name} at ${this.engine.endpoint.url}`;
  }

  /** Inspects the container once (name, running); fails when it does not run or after close. */
  async open(): Promise<void> {
    await this.ensureRunning('run anything');
  }

  /** Opens a shell: `sh` with stdin attached, on a TTY when `pty` is set. */
  async openShell(options: ShellChannelOptions): Promise<DockerShellChannel> {
    const action = `open a shell${options.pty ? ' on a TTY' : ''}`;
    await this.ensureRunning(action);
    const channel = await openDockerShell(this.target(), options, {
      onStderr: this.options.onShellStderr,
      closeTimeoutMs: this.options.closeTimeoutMs,
    });
    if (this.closing) {
      // Closed while the shell was starting: nothing may stay open behind the caller.
      await channel.close();
      throw transportClosed(this.place, action);
    }
    this.shells.add(channel);
    channel.onClose(() => this.shells.delete(channel));
    return channel;
  }

  /** Runs one command in its own exec; see {@link runExecCommand}. */
  async exec(command: string | Argv, options: ExecOptions): Promise<ExecOutcome> {
    const shown = typeof command === 'string' ? command : joinArgv(command);
    await this.ensureRunning(`run \`${shortCommand(shown)}\``);
    // One controller per command, aborted by the caller's signal or by close(). Not
    // AbortSignal.any: on Node 20 every signal it joins to a long-lived one stays in memory.
    const stop = new AbortController();
    const forward = (): void => stop.abort(options.signal?.reason);
    if (options.signal?.aborted) forward();
    else options.signal?.addEventListener('abort', forward, { once: true });
    const running = runExecCommand(this.target(), command, { ...options, signal: stop.signal });
    this.running.set(stop, running);
    try {
      return await running;
    } finally {
      options.signal?.removeEventListener('abort', forward);
      this.running.delete(stop);
    }
  }

  /**
   * Stops the commands under way, closes every shell (each ends what it started) and, with
   * `closeEngine`, the engine client. Final: every later call rejects with a `ClosedError`.
   * Idempotent; a second call waits for the first.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutDown(): Promise<void> {
    for (const stop of this.running.keys()) stop.abort(CLOSED_REASON);
    await Promise.all([
      ...[...this.running.values()].map((running) => running.catch(() => undefined)),
      ...[...this.shells].map((channel) => channel.close()),
    ]);
    if (this.options.closeEngine) await this.engine.close();
  }

  private target(): ExecTarget {
    return {
      engine: this.engine,
      containerId: this.containerId,
      place: this.place,
      user: this.options.user,
      signalTimeoutMs: this.options.signalTimeoutMs ?? 10_000,
    };
  }

  private async ensureRunning(action: string): Promise<void> {
    if (this.closing) throw transportClosed(this.place, action);
    this.opening ??= this.inspect(action);
    try {
      this.state = await this.opening;
    } catch (error) {
      this.opening = undefined;
      throw error;
    }
    if (this.closing) throw transportClosed(this.place, action);
    if (!this.state.running) {
      this.opening = undefined;
      throw notRunning(this.place, action);
    }
  }

  private async inspect(action: string): Promise<ContainerState> {
    try {
      return await inspectContainer(this.engine, this.containerId);
    } catch (error) {
      throw engineStatusOf(error) === 404 ? toExecError(error, this.place, action) : error;
    }
  }
}

/** A full container id shortened to 12 digits, as the docker CLI shows it; a name as it is. */
function shortReference(reference: string): string {
  return /^[0-9a-f]{64}$/.test(reference) ? reference.slice(0, 12) : reference;
}
