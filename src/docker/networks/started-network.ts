import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { ownershipLabels, type Lifetime } from '../labels.js';
import { trackOwnedResources } from '../ownership/watchdog.js';

/** What a network should be. */
export interface NetworkSpec {
  /** Network name; the engine refuses a name already taken. */
  name: string;
  /** No route out of the network: members reach only each other. @default false */
  internal?: boolean;
  /** Why it exists, recorded in the `otto.purpose` label. @default 'network' */
  purpose?: string;
  /** `kept`: left alone when this process ends (see {@link Lifetime}). @default 'process' */
  lifetime?: Lifetime;
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

  /**
   * Creates a bridge network with ownership labels. Unless its lifetime is `kept`, this
   * process's watchdog removes it if the process ends without stopping it.
   */
  static async start(engine: EngineClient, spec: NetworkSpec): Promise<StartedNetwork> {
    const lifetime = spec.lifetime ?? 'process';
    if (lifetime === 'process') trackOwnedResources(engine);
    const created = await engine.json<{ Id: string }>({
      method: 'POST',
      path: '/networks/create',
      body: {
        Name: spec.name,
        Driver: 'bridge',
        Internal: spec.internal ?? false,
        CheckDuplicate: true,
        Labels: ownershipLabels(spec.purpose ?? 'network', {}, { lifetime }),
      },
      okStatus: [201],
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

  /** Removes the network; idempotent. Containers still on it must be stopped first. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await this.engine.json({ method: 'DELETE', path: `/networks/${this.id}`, okStatus: [204] });
    } catch (error) {
      if (engineStatusOf(error) !== 404) throw error;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
