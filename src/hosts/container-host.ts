import { DEFAULT_SOCKET_PATH } from '../docker/engine/engine-endpoint.js';
import { EngineClient } from '../docker/engine/engine-client.js';
import { DockerArchiveTransfer } from '../docker/exec/docker-archive-transfer.js';
import { DockerExecTransport } from '../docker/exec/docker-exec-transport.js';
import { BaseHost } from './base-host.js';
import { normalizeHostOptions, transportOptionsOf, type HostOptions } from './host-options.js';
import type { SshHost } from './ssh-host.js';

/** Options of a {@link ContainerHost}. */
export interface ContainerHostOptions extends HostOptions {
  /** The engine the container runs on. @default the one DOCKER_HOST or the default socket names */
  engine?: EngineClient;
  /** User commands run as. @default the container's user */
  user?: string;
}

/**
 * A running container as a host, through the Docker Engine API only (no docker CLI, nothing
 * needed in the image but `/bin/sh`): the persistent shell is a long-lived exec of `sh` with stdin
 * attached, a oneshot is one exec, and put/get are one streamed archive call each way.
 * @example
 * await using web = new ContainerHost('web-1');
 * await web.put(['./site'], '/srv');
 * console.log((await web.run('ls /srv/site')).only().output);
 */
export class ContainerHost extends BaseHost {
  /** The engine the container runs on (closed with the host when the host made it). */
  readonly engine: EngineClient;
  /** The container's id or name, as given. */
  readonly containerId: string;

  /**
   * Makes the host of a running container, by id or name; nothing is asked of the engine until the
   * first call. The host's id is the name, or the first 12 digits of a full id.
   */
  constructor(container: string, options: ContainerHostOptions = {}) {
    const engine = options.engine ?? EngineClient.fromEnvironment();
    const resolved = normalizeHostOptions(options, {
      id: container.length === 64 ? container.slice(0, 12) : container,
      pty: false,
    });
    super(
      new DockerExecTransport(engine, container, {
        user: options.user,
        ...transportOptionsOf(resolved),
        // An engine client made here is this host's to close; one given is the caller's.
        closeEngine: !options.engine,
      }),
      new DockerArchiveTransfer(engine, container, { hostId: resolved.id }),
      resolved,
    );
    this.engine = engine;
    this.containerId = container;
  }

  /**
   * A container on the engine of an SSH host (through its hops): the engine's socket is forwarded
   * over the host's own connection, so nothing listens on the network. The SSH host stays open
   * when this host closes; close it yourself after its containers.
   * @example const app = ContainerHost.onSshHost(labHost, 'app-1');
   */
  static onSshHost(
    sshHost: SshHost,
    container: string,
    options: ContainerHostOptions & { socketPath?: string } = {},
  ): ContainerHost {
    const socketPath = options.socketPath ?? DEFAULT_SOCKET_PATH;
    const engine = new EngineClient(
      { kind: 'ssh', url: `unix://${socketPath} on ${sshHost.ssh.address}` },
      { createConnection: () => sshHost.ssh.openUnixSocket(socketPath) },
    );
    return new ContainerHost(container, {
      ...options,
      engine,
      id: options.id ?? `${sshHost.id}/${container.slice(0, 12)}`,
    });
  }
}
