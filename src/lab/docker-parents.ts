import { DEFAULT_SOCKET_PATH } from '../docker/engine/engine-endpoint.js';
import { EngineClient } from '../docker/engine/engine-client.js';
import { ConfigError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import { SshHost } from '../hosts/ssh-host.js';
import type { Lab } from './lab.js';
import { SshTransport } from '../transports/ssh/ssh-transport.js';
import type { SshTarget } from '../transports/ssh/ssh-target.js';
import { findLabHost, sshTargetFor } from './lab-hosts.js';

/**
 * Docker parents: the engines image builds and compose stacks run on. `local` is this machine's
 * engine (`DOCKER_HOST`, else the default socket); any other id is a lab host marked
 * `docker_capable`, whose engine socket is forwarded over the host's own SSH connection (and its
 * hops), so nothing listens on the network.
 */

/** The id of this machine's engine as a parent: container hosts on it are `local.<repo>.<service>`. */
export const LOCAL_PARENT_ID = 'local';

/** An engine that builds and stacks run on, and the lab host it belongs to. */
export interface DockerParent {
  /** `local`, or the lab host's id. */
  id: string;
  /** The engine. The parent owns it: {@link closeDockerParent} closes it. */
  engine: EngineClient;
  /** The lab host whose engine it is; undefined for `local`. */
  sshHost?: SshHost;
  /** The parent's reservation resources, inherited by its container hosts. */
  resources: string[];
  /** The engine's socket path on the parent. */
  socketPath: string;
}

/** Finds lab hosts by id: a {@link LabHostPool}, or anything with its `get`. */
export interface HostSource {
  get(id: string): Host;
}

/**
 * The parent with that id (`local` when none is given): `local` unless the lab has a host of that
 * name, else a docker-capable lab host. An unknown id names the closest hosts; a host that is not
 * docker-capable is refused with the ones that are.
 * @example const parent = dockerParentFor(lab, pool, flags.on);
 */
export function dockerParentFor(
  lab: Lab,
  hosts: HostSource,
  id: string | undefined = LOCAL_PARENT_ID,
): DockerParent {
  if (id === LOCAL_PARENT_ID && !lab.hosts.has(id))
    return {
      id,
      engine: EngineClient.fromEnvironment(),
      resources: [],
      socketPath: DEFAULT_SOCKET_PATH,
    };
  const { entry } = findLabHost(lab, id);
  if (!entry.docker_capable) throw notDockerCapable(lab, id);
  const host = hosts.get(id);
  if (!(host instanceof SshHost))
    throw new ConfigError(
      'NOT_DOCKER_CAPABLE',
      `Host "${id}" cannot run Docker work: its engine is reached over SSH, and it is not an SSH host.`,
    );
  const socketPath = DEFAULT_SOCKET_PATH;
  const endpoint = { kind: 'ssh' as const, url: `unix://${socketPath} on ${host.ssh.address}` };
  const engine = new EngineClient(endpoint, {
    createConnection: () => host.ssh.openUnixSocket(socketPath),
    // So that this process's watchdog can reach the engine after it dies (over its own SSH).
    reach: { endpoint, overSsh: { target: sshTargetOf(lab, id, host), socketPath } },
  });
  return { id, engine, sshHost: host, resources: [...(entry.resources ?? [])], socketPath };
}

/** The target the host's connection uses (defaults included), else the lab's own. */
function sshTargetOf(lab: Lab, id: string, host: SshHost): SshTarget {
  return host.ssh instanceof SshTransport ? host.ssh.target : sshTargetFor(lab, id);
}

/** The ids of the parents a command may use: `local` and the lab's docker-capable hosts. */
export function dockerParentIds(lab: Lab): string[] {
  const capable = [...lab.hosts.values()]
    .filter((host) => host.entry.docker_capable)
    .map((host) => host.id);
  return lab.hosts.has(LOCAL_PARENT_ID) ? capable : [LOCAL_PARENT_ID, ...capable];
}

/** Closes the parent's engine client (the lab host stays open: its pool closes it). */
export async function closeDockerParent(parent: DockerParent): Promise<void> {
  await parent.engine.close();
}

function notDockerCapable(lab: Lab, id: string): ConfigError {
  const capable = dockerParentIds(lab);
  return new ConfigError(
    'NOT_DOCKER_CAPABLE',
    `Host "${id}" is not docker-capable, so it cannot run Docker work; the parents are: ${capable.join(', ')}.`,
    { fix: `mark it "docker_capable": true in the lab file if it runs a Docker engine.` },
  );
}
