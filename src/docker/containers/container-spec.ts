import { ConfigError } from '../../errors.js';
import { lifetimeOf, ownershipLabels } from '../labels.js';
import type { ProcessIdentity } from '../ownership/process-identity.js';

/** A port of a container published on the machine. */
export interface PublishedPort {
  /** The port inside the container, e.g. `22`. */
  containerPort: number;
  /** The port on the machine. @default 0: the engine picks a free port */
  hostPort?: number;
  /** Address to bind on the machine. @default '127.0.0.1': never all interfaces unless asked */
  hostIp?: string;
  /** Protocol of the port. @default 'tcp' */
  protocol?: 'tcp' | 'udp';
}

/** What a container should be. Only `image` is required. */
export interface ContainerSpec {
  /** Image reference or id, e.g. `otto/busybox:latest`; it must be in the engine (no pull). */
  image: string;
  /** Container name. @default a name chosen by the engine */
  name?: string;
  /** argv of the main process; no shell is added. @default the image's own CMD */
  cmd?: string[];
  /** Replaces the image's entrypoint; `[]` clears it. */
  entrypoint?: string[];
  /** Environment variables besides the image's, by name. */
  env?: Record<string, string>;
  /** Why it exists, recorded in the `otto.purpose` label. @default 'container' */
  purpose?: string;
  /** Labels besides the ownership labels; `otto.lifetime: 'kept'` keeps it after this process ends. */
  labels?: Record<string, string>;
  /** Network to join at creation. @default the engine's default bridge */
  network?: string;
  /** Names under which others on `network` reach it. */
  networkAliases?: string[];
  /** Ports to publish on the machine. @default none */
  publish?: PublishedPort[];
  /** Bind mounts, `host-path:container-path[:ro]`. */
  binds?: string[];
  /** Run with every capability and device of the machine. @default false */
  privileged?: boolean;
  /**
   * Run an init process (the engine's docker-init) as PID 1, which reaps orphaned processes: a
   * killed process whose parent is gone otherwise stays a zombie when PID 1 does not reap.
   * @default the engine's default (none, unless dockerd runs with --init)
   */
  init?: boolean;
  /**
   * Keep the main process's stdin open (and never written), so that a `read` there waits instead
   * of seeing end-of-file. @default false
   */
  openStdin?: boolean;
  /** User of the main process, `name`, `uid` or `uid:gid`. @default the image's USER */
  user?: string;
  /** Working folder of the main process. @default the image's WORKDIR */
  workingDir?: string;
  /** Host name inside the container. @default the first 12 characters of the container id */
  hostname?: string;
  /** DNS servers of the container. @default the engine's */
  dns?: string[];
  /** Extra `/etc/hosts` lines, `name:address`. */
  extraHosts?: string[];
  /** A health check replacing the image's; `test: ['NONE']` turns the image's off. */
  healthcheck?: HealthcheckSpec;
  /** The process whose end removes it (see `OwnershipOptions.owner`). @default this process */
  owner?: ProcessIdentity;
}

/** A container health check, as `HEALTHCHECK` in a Dockerfile. */
export interface HealthcheckSpec {
  /** `['CMD', argv...]`, `['CMD-SHELL', 'command']` or `['NONE']`. */
  test: string[];
  /** Time between checks. @default the engine's (30 s) */
  intervalMs?: number;
  /** Time one check may take. @default the engine's (30 s) */
  timeoutMs?: number;
  /** Failures in a row that make it unhealthy. @default the engine's (3) */
  retries?: number;
  /** Time after start during which failures do not count. @default the engine's (0) */
  startPeriodMs?: number;
}

/** Turns a spec into the engine's container-create body (ownership labels always included). */
export function toCreateBody(spec: ContainerSpec): Record<string, unknown> {
  if (!spec.image)
    throw new ConfigError('INVALID_CONTAINER_SPEC', 'Invalid container spec: `image` is required.');
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of spec.publish ?? []) {
    const key = `${port.containerPort}/${port.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({
      HostIp: port.hostIp ?? '127.0.0.1',
      HostPort: String(port.hostPort ?? 0),
    });
  }
  return {
    Image: spec.image,
    Cmd: spec.cmd,
    Entrypoint: spec.entrypoint,
    Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
    Labels: {
      ...(spec.labels ?? {}),
      ...ownershipLabels(
        spec.purpose ?? 'container',
        {},
        { lifetime: lifetimeOf(spec.labels), owner: spec.owner },
      ),
    },
    ExposedPorts: exposed,
    User: spec.user,
    WorkingDir: spec.workingDir,
    Hostname: spec.hostname,
    ...(spec.openStdin ? { OpenStdin: true, StdinOnce: false } : {}),
    Healthcheck: spec.healthcheck ? toHealthcheck(spec.healthcheck) : undefined,
    HostConfig: {
      PortBindings: bindings,
      Binds: spec.binds,
      Privileged: spec.privileged ?? false,
      Init: spec.init,
      NetworkMode: spec.network,
      Dns: spec.dns,
      ExtraHosts: spec.extraHosts,
    },
    // The network mode joins the network; an endpoint entry is needed only for aliases.
    NetworkingConfig:
      spec.network && spec.networkAliases?.length
        ? { EndpointsConfig: { [spec.network]: { Aliases: spec.networkAliases } } }
        : undefined,
  };
}

/** The engine's health check: durations in nanoseconds. */
function toHealthcheck(check: HealthcheckSpec): Record<string, unknown> {
  const nanoseconds = (ms: number | undefined) => (ms === undefined ? undefined : ms * 1_000_000);
  return {
    Test: check.test,
    Interval: nanoseconds(check.intervalMs),
    Timeout: nanoseconds(check.timeoutMs),
    Retries: check.retries,
    StartPeriod: nanoseconds(check.startPeriodMs),
  };
}
