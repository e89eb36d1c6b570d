import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { ownershipLabels, type Lifetime } from '../labels.js';
import type { ProcessIdentity } from '../ownership/process-identity.js';
import { trackOwnedResources } from '../ownership/watchdog.js';

/** What a network should be. */
export interface NetworkSpec {
  /** Network name; the engine refuses a name already taken. */
  name: string;
  /** No route out of the network: members reach only each other. @default false */
  internal?: boolean;
  /** Network driver. @default 'bridge' */
  driver?: string;
  /** Address range, e.g. `10.77.0.0/24`. @default one the engine picks */
  subnet?: string;
  /** Gateway inside `subnet`. @default the engine's choice */
  gateway?: string;
  /** Labels besides the ownership labels. */
  labels?: Record<string, string>;
  /** Why it exists, recorded in the `otto.purpose` label. @default 'network' */
  purpose?: string;
  /** `kept`: left alone when this process ends (see {@link Lifetime}). @default 'process' */
  lifetime?: Lifetime;
  /** The process whose end removes it (see `OwnershipOptions.owner`). @default this process */
  owner?: ProcessIdentity;
}

/**
 * A Docker network that otto-ts created. `stop()` removes it; idempotent, also on `await using`.
 * @example await using lab = await StartedNetwork.start(engine, { name: 'lab-1', internal: true });
 */
export class StartedNetwork {
  private stopped = false;

  private constructor(
    /** The engine the network is on. */
    readonly engine: EngineClient,
    /** Full network id. */
    readonly id: string,
    /** Network name, as the spec gave it. */
    readonly name: string,
  ) {}

  /** A network otto-ts created earlier (a reused or run-wide fixture's), by its id and name. */
  static existing(engine: EngineClient, id: string, name: string): StartedNetwork {
    return new StartedNetwork(engine, id, name);
  }

  /**
   * Creates a network (a bridge unless `driver` says otherwise) with ownership labels. Unless its
   * lifetime is `kept`, this process's watchdog removes it if the process ends without stopping it.
   */
  static async start(
    engine: EngineClient,
    spec: NetworkSpec,
    signal?: AbortSignal,
  ): Promise<StartedNetwork> {
    const lifetime = spec.lifetime ?? 'process';
    if (lifetime === 'process') trackOwnedResources(engine, spec.owner);
    const created = await engine.json<{ Id: string }>({
      method: 'POST',
      path: '/networks/create',
      body: {
        Name: spec.name,
        Driver: spec.driver ?? 'bridge',
        Internal: spec.internal ?? false,
        CheckDuplicate: true,
        IPAM: spec.subnet
          ? { Driver: 'default', Config: [{ Subnet: spec.subnet, Gateway: spec.gateway }] }
          : undefined,
        Labels: {
          ...(spec.labels ?? {}),
          ...ownershipLabels(spec.purpose ?? 'network', {}, { lifetime, owner: spec.owner }),
        },
      },
      okStatus: [201],
      signal,
    });
    return new StartedNetwork(engine, created.Id, spec.name);
  }

  /** Joins a container to the network, optionally under aliases. */
  async connect(containerId: string, aliases: string[] = []): Promise<void> {
    await this.engine.json({
      method: 'POST',
      path: `/networks/${this.id}/connect`,
      body: { Container: containerId, EndpointConfig: { Aliases: aliases } },
    });
  }

  /** Takes a container off the network; `force` also when its endpoint is half gone. */
  async disconnect(containerId: string, force = false): Promise<void> {
    await this.engine.json({
      method: 'POST',
      path: `/networks/${this.id}/disconnect`,
      body: { Container: containerId, Force: force },
    });
  }

  /**
   * Removes the network; idempotent. Containers still on it must leave first; a removal the
   * engine refused may be tried again.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.engine.json({ method: 'DELETE', path: `/networks/${this.id}`, okStatus: [204] });
    } catch (error) {
      if (engineStatusOf(error) !== 404) throw error;
    }
    this.stopped = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
