import { DockerError } from '../../errors.js';
import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { createFrameDemuxer } from '../engine/frame-demuxer.js';
import { LIFETIME_LABEL } from '../labels.js';
import { trackOwnedResources } from '../ownership/watchdog.js';
import { toCreateBody, type ContainerSpec } from './container-spec.js';

/** What the engine says about a running container, in our own terms. */
export interface ContainerState {
  /** Full container id. */
  id: string;
  /** Container name, without the engine's leading `/`. */
  name: string;
  /** True while the main process runs. */
  running: boolean;
  /** Exit code of the main process; 0 while it runs. */
  exitCode: number;
  /** Published ports: `"22/tcp"` → host port. */
  ports: Record<string, number>;
  /** Address of the container on each network it joined. */
  networks: Record<string, string>;
  /** The engine's word for its state. */
  status: ContainerStatus;
  /** What its health check says; undefined without a health check. */
  health: 'starting' | 'healthy' | 'unhealthy' | undefined;
  /** Every binding of each published port: `"22/tcp"` → host ports (IPv4 and IPv6 may differ). */
  portBindings: Record<string, number[]>;
  /** Process id of the main process in the engine's PID namespace; 0 when it does not run. */
  pid: number;
  /** When the main process last started (RFC 3339, the engine's clock). */
  startedAt: string;
}

/** The states the engine reports for a container. */
export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/**
 * A container that otto-ts created and started. `stop()` removes it (and its anonymous volumes);
 * it is idempotent and also runs on `await using`.
 * @example
 * await using sshd = await StartedContainer.start(engine, { image: 'otto/busybox', cmd: ['sleep', '600'] });
 * console.log(sshd.id);
 */
export class StartedContainer {
  private stopped = false;

  private constructor(
    /** The engine the container runs on. */
    readonly engine: EngineClient,
    /** Full container id. */
    readonly id: string,
    /** The spec it was started from. */
    readonly spec: ContainerSpec,
    private state: ContainerState,
  ) {}

  /**
   * Creates and starts a container; on a failed start the created container is removed. Unless
   * it is labelled `otto.lifetime=kept`, this process's watchdog removes it if the process ends
   * without stopping it.
   */
  static async start(engine: EngineClient, spec: ContainerSpec): Promise<StartedContainer> {
    const query = spec.name ? { name: spec.name } : undefined;
    const body = toCreateBody(spec);
    if ((body.Labels as Record<string, string>)[LIFETIME_LABEL] === 'process')
      trackOwnedResources(engine, spec.owner);
    const created = await engine.json<{ Id: string }>({
      method: 'POST',
      path: '/containers/create',
      query,
      body,
      okStatus: [201],
    });
    try {
      await engine.json({
        method: 'POST',
        path: `/containers/${created.Id}/start`,
        okStatus: [204, 304],
      });
      return new StartedContainer(
        engine,
        created.Id,
        spec,
        await inspectContainer(engine, created.Id),
      );
    } catch (error) {
      await removeContainer(engine, created.Id);
      throw error;
    }
  }

  /** Container name (the engine's own when the spec gave none), without the leading `/`. */
  get name(): string {
    return this.state.name;
  }

  /** The host port a container port is published on (`22` or `"22/udp"`). */
  hostPort(containerPort: number | string): number {
    const key = typeof containerPort === 'number' ? `${containerPort}/tcp` : containerPort;
    const port = this.state.ports[key];
    if (port === undefined) {
      throw new DockerError(
        'PORT_NOT_PUBLISHED',
        `Port ${key} of container ${this.name} is not published; published: ${Object.keys(this.state.ports).join(', ') || 'none'}.`,
      );
    }
    return port;
  }

  /** The container's address on a network. */
  ipAddress(network = Object.keys(this.state.networks)[0] ?? 'bridge'): string {
    const address = this.state.networks[network];
    if (!address)
      throw new DockerError(
        'NOT_ON_NETWORK',
        `Container ${this.name} has no address on network ${network}.`,
      );
    return address;
  }

  /** Reads the engine's view again (running, exit code, ports, addresses). */
  async refresh(): Promise<ContainerState> {
    this.state = await inspectContainer(this.engine, this.id);
    return this.state;
  }

  /** Waits until the container exits and returns its exit code. */
  async wait(timeoutMs: number): Promise<number> {
    const waited = await this.engine.json<{ StatusCode: number }>({
      method: 'POST',
      path: `/containers/${this.id}/wait`,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return waited.StatusCode;
  }

  /** The container's whole log so far: stdout, stderr, and both in order. */
  async output(): Promise<ContainerOutput> {
    return readContainerOutput(this.engine, this.id);
  }

  /** The container's whole log so far, stdout and stderr in order. */
  async logs(): Promise<string> {
    return (await this.output()).output;
  }

  /** Removes the container, running or not; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await removeContainer(this.engine, this.id);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** A container's log: stdout, stderr, and both in order, as UTF-8. */
export interface ContainerOutput {
  stdout: string;
  stderr: string;
  output: string;
}

/**
 * Reads a container's log so far (a container made without a TTY), running or not; `tailLines`
 * keeps only the last lines of each stream.
 */
export async function readContainerOutput(
  engine: EngineClient,
  id: string,
  options: { tailLines?: number; signal?: AbortSignal } = {},
): Promise<ContainerOutput> {
  const response = await engine.stream({
    method: 'GET',
    path: `/containers/${id}/logs`,
    query: { stdout: true, stderr: true, tail: options.tailLines ?? 'all' },
    signal: options.signal,
  });
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[], output: [] as Buffer[] };
  const demux = createFrameDemuxer((stream, payload) => {
    chunks[stream].push(Buffer.from(payload));
    chunks.output.push(Buffer.from(payload));
  });
  for await (const chunk of response) demux(chunk as Buffer);
  const text = (list: Buffer[]): string => Buffer.concat(list).toString('utf8');
  return { stdout: text(chunks.stdout), stderr: text(chunks.stderr), output: text(chunks.output) };
}

/** Joins a container (created or running) to a network, optionally under aliases. */
export async function connectNetwork(
  engine: EngineClient,
  containerId: string,
  network: string,
  options: { aliases?: string[]; signal?: AbortSignal } = {},
): Promise<void> {
  await engine.json({
    method: 'POST',
    path: `/networks/${encodeURIComponent(network)}/connect`,
    body: { Container: containerId, EndpointConfig: { Aliases: options.aliases ?? [] } },
    signal: options.signal,
  });
}

/** Takes a container off a network at once (`Force`), e.g. to cut it off in a partition test. */
export async function disconnectNetwork(
  engine: EngineClient,
  containerId: string,
  network: string,
): Promise<void> {
  await engine.json({
    method: 'POST',
    path: `/networks/${encodeURIComponent(network)}/disconnect`,
    body: { Container: containerId, Force: true },
  });
}

/** Inspects a container into our own {@link ContainerState}. */
export async function inspectContainer(
  engine: EngineClient,
  id: string,
  signal?: AbortSignal,
): Promise<ContainerState> {
  const raw = await engine.json<RawContainer>({
    method: 'GET',
    path: `/containers/${id}/json`,
    signal,
  });
  const ports: Record<string, number> = {};
  const portBindings: Record<string, number[]> = {};
  for (const [key, bindings] of Object.entries(raw.NetworkSettings.Ports ?? {})) {
    const hostPorts = (bindings ?? []).map((binding) => Number(binding.HostPort)).filter(Boolean);
    if (hostPorts.length === 0) continue;
    ports[key] = hostPorts[0]!;
    // IPv4 and IPv6 bindings of one port usually share the host port: list each once.
    portBindings[key] = [...new Set(hostPorts)];
  }
  const networks: Record<string, string> = {};
  for (const [name, network] of Object.entries(raw.NetworkSettings.Networks ?? {}))
    networks[name] = network.IPAddress;
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    running: raw.State.Running,
    exitCode: raw.State.ExitCode,
    ports,
    networks,
    status: raw.State.Status,
    health: raw.State.Health?.Status,
    portBindings,
    pid: raw.State.Pid ?? 0,
    startedAt: raw.State.StartedAt ?? '',
  };
}

interface RawContainer {
  Id: string;
  Name: string;
  State: {
    Running: boolean;
    ExitCode: number;
    Status: ContainerStatus;
    Pid?: number;
    StartedAt?: string;
    Health?: { Status: 'starting' | 'healthy' | 'unhealthy' };
  };
  NetworkSettings: {
    Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
    Networks?: Record<string, { IPAddress: string }>;
  };
}

/** Removes a container by id, forcefully, with its anonymous volumes; a missing one is fine. */
export async function removeContainer(engine: EngineClient, id: string): Promise<void> {
  try {
    await engine.json({
      method: 'DELETE',
      path: `/containers/${id}`,
      query: { force: true, v: true },
      okStatus: [204],
    });
  } catch (error) {
    const status = engineStatusOf(error);
    // 404: already gone; 409: removal already in progress.
    if (status !== 404 && status !== 409) throw error;
  }
}
