import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { ownershipLabels, type Lifetime } from '../labels.js';
import type { ProcessIdentity } from '../ownership/process-identity.js';
import { trackOwnedResources } from '../ownership/watchdog.js';

/** What a named volume should be. */
export interface VolumeSpec {
  /** Volume name. @default a name chosen by the engine */
  name?: string;
  /** Volume driver. @default 'local' */
  driver?: string;
  /** Why it exists, recorded in the `otto.purpose` label. @default 'volume' */
  purpose?: string;
  /** `kept`: left alone when this process ends (see {@link Lifetime}). @default 'process' */
  lifetime?: Lifetime;
  /** The process whose end removes it (see `OwnershipOptions.owner`). @default this process */
  owner?: ProcessIdentity;
  /** Labels besides the ownership labels. */
  labels?: Record<string, string>;
}

/**
 * A named Docker volume that otto-ts created, with ownership labels. `stop()` removes it;
 * idempotent, also on `await using`. Unless its lifetime is `kept`, this process's watchdog
 * removes it if the process ends without stopping it.
 * @example
 * await using data = await StartedVolume.create(engine, { name: 'db-data' });
 * await StartedContainer.start(engine, { image: 'otto/busybox', binds: [`${data.name}:/data`] });
 */
export class StartedVolume {
  private stopped = false;

  private constructor(
    /** The engine the volume is on. */
    readonly engine: EngineClient,
    /** Volume name (a volume's id). */
    readonly name: string,
    /** Its labels as the engine reports them: another owner's when the name existed already. */
    readonly labels: Record<string, string>,
  ) {}

  /** A volume otto-ts created earlier (a reused or run-wide fixture's), by its name. */
  static existing(
    engine: EngineClient,
    name: string,
    labels: Record<string, string>,
  ): StartedVolume {
    return new StartedVolume(engine, name, labels);
  }

  /** Creates the volume. The engine returns an existing volume of that name as it is. */
  static async create(
    engine: EngineClient,
    spec: VolumeSpec = {},
    signal?: AbortSignal,
  ): Promise<StartedVolume> {
    const lifetime = spec.lifetime ?? 'process';
    if (lifetime === 'process') trackOwnedResources(engine, spec.owner);
    const created = await engine.json<{ Name: string; Labels?: Record<string, string> | null }>({
      method: 'POST',
      path: '/volumes/create',
      body: {
        Name: spec.name,
        Driver: spec.driver ?? 'local',
        Labels: {
          ...(spec.labels ?? {}),
          ...ownershipLabels(spec.purpose ?? 'volume', {}, { lifetime, owner: spec.owner }),
        },
      },
      okStatus: [200, 201],
      signal,
    });
    return new StartedVolume(engine, created.Name, created.Labels ?? {});
  }

  /**
   * Removes the volume; idempotent. Containers using it must be removed first; a removal the engine
   * refused may be tried again.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.engine.json({
        method: 'DELETE',
        path: `/volumes/${encodeURIComponent(this.name)}`,
        okStatus: [204],
      });
    } catch (error) {
      if (engineStatusOf(error) !== 404) throw error;
    }
    this.stopped = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
