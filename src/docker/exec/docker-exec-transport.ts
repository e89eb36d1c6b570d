import { setMaxListeners } from 'node:events';
import { joinArgv } from '../../common/quote.js';
import type {
  ExecOptions,
  ExecOutcome,
  ShellChannelOptions,
  Transport,
} from '../../transports/transport.js';
import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { inspectContainer, type ContainerState } from '../containers/started-container.js';
import { openDockerShell, type DockerShellChannel } from './docker-shell-channel.js';
import { runExecCommand, type ExecTarget } from './exec-command.js';
import { notRunning, toExecError } from './exec-failures.js';

/** Options of a {@link DockerExecTransport}. */
export interface DockerExecTransportOptions {
  /** User that commands and shells run as. @default the container's user */
  user?: string;
  /** Receives the stderr of shells opened without a TTY (their channel delivers stdout). @default dropped */
  onShellStderr?: (chunk: Buffer) => void;
  /** How long closing a shell waits for it to exit after its input ends, before killing it. @default 2000 */
  shellCloseGraceMs?: number;
}

/**
 * The transport to one container through the Docker Engine API: shell channels are long-lived
 * execs of `sh` with stdin attached, commands are one exec each. Works with any engine an
 * {@link EngineClient} reaches (local socket, `DOCKER_HOST`, a socket forwarded over SSH).
 * @example
 * await using transport = new DockerExecTransport(engine, container.id);
 * const { exitCode, stdout } = await transport.exec('uname -r', { timeoutMs: 10_000 });
 */
export class DockerExecTransport implements Transport {
  readonly kind = 'docker-exec' as const;
  private state: ContainerState | undefined;
  private opening: Promise<ContainerState> | undefined;
  private readonly shells = new Set<DockerShellChannel>();
  private lifetime = createLifetime();

  constructor(
    readonly engine: EngineClient,
    readonly containerId: string,
    private readonly options: DockerExecTransportOptions = {},
  ) {}

  /** The container's name once opened, else the reference it was given by. */
  get containerName(): string {
    return this.state?.name ?? this.containerId;
  }

  /** `container <name> (<id12>) at <engine endpoint>`. */
  get address(): string {
    const name = this.state
      ? `${this.state.name} (${this.state.id.slice(0, 12)})`
      : shortReference(this.containerId);
    return `container ${name} at ${this.engine.endpoint.url}`;
  }

  /** Inspects the container once (name, running); fails when it does not run. */
  async open(): Promise<void> {
    await this.ensureRunning('run anything');
  }

  /** Opens a shell: `sh` with stdin attached, on a TTY when `pty` is set. */
  async openShell(options: ShellChannelOptions): Promise<DockerShellChannel> {
    await this.ensureRunning(`open a shell${options.pty ? ' on a TTY' : ''}`);
    const channel = await openDockerShell(this.target(), options, {
      onStderr: this.options.onShellStderr,
      closeGraceMs: this.options.shellCloseGraceMs,
    });
    this.shells.add(channel);
    channel.onClose(() => this.shells.delete(channel));
    return channel;
  }

  /** Runs one command in its own exec; see {@link runExecCommand}. */
  async exec(command: string | readonly string[], options: ExecOptions): Promise<ExecOutcome> {
    const text = typeof command === 'string' ? command : joinArgv(command);
    await this.ensureRunning(`run \`${text}\``);
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.lifetime.signal])
      : this.lifetime.signal;
    return runExecCommand(this.target(), command, { ...options, signal });
  }

  /** Closes every shell and stops the commands under way; idempotent. A later call reopens. */
  async close(): Promise<void> {
    this.lifetime.abort();
    this.lifetime = createLifetime();
    await Promise.all([...this.shells].map((channel) => channel.close()));
    this.state = undefined;
    this.opening = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private target(): ExecTarget {
    return {
      engine: this.engine,
      containerId: this.containerId,
      containerName: this.containerName,
      engineUrl: this.engine.endpoint.url,
      user: this.options.user,
    };
  }

  private async ensureRunning(action: string): Promise<void> {
    this.opening ??= this.inspect(action);
    try {
      this.state = await this.opening;
    } catch (error) {
      this.opening = undefined;
      throw error;
    }
    if (!this.state.running) {
      this.opening = undefined;
      throw notRunning(this.target(), action);
    }
  }

  private async inspect(action: string): Promise<ContainerState> {
    try {
      return await inspectContainer(this.engine, this.containerId);
    } catch (error) {
      throw engineStatusOf(error) === 404 ? toExecError(error, this.target(), action) : error;
    }
  }
}

/** The signal that stops every command under way on close; each command listens to it. */
function createLifetime(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** A full container id shortened to 12 digits, as the docker CLI shows it; a name as it is. */
function shortReference(reference: string): string {
  return /^[0-9a-f]{64}$/.test(reference) ? reference.slice(0, 12) : reference;
}
