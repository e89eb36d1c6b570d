import { setTimeout as sleep } from 'node:timers/promises';
import { Deadline } from '../../common/deadline.js';
import { engineStatusOf, type EngineClient, type EngineRequest } from '../engine/engine-client.js';
import { RESOURCE_KINDS, type OwnedResource } from './owned-resources.js';

/** A resource that could not be removed, and why. */
export interface RemovalFailure {
  /** The resource. */
  resource: OwnedResource;
  /** The last error's first line. */
  reason: string;
}

/** What a removal did. */
export interface RemovalOutcome {
  /** Removed now, or already gone. */
  removed: OwnedResource[];
  /** Still there after every attempt. */
  failed: RemovalFailure[];
}

/** Options of {@link removeResources}. */
export interface RemoveOptions {
  /** Stop retrying after this long. @default 15000 */
  timeoutMs?: number;
  /** Each engine request gives up after this long. @default 5000 */
  requestTimeoutMs?: number;
  /** Pause between rounds of retries. @default 250 */
  retryPauseMs?: number;
}

/**
 * Removes resources kind by kind: containers (forced, with their anonymous volumes), then
 * networks, then volumes, then images. What the engine refuses (a network still in use while its
 * containers go, an image a container still holds) is tried again until `timeoutMs`. Gone
 * already counts as removed. Never throws for a single resource: failures are returned.
 */
export async function removeResources(
  engine: EngineClient,
  resources: readonly OwnedResource[],
  options: RemoveOptions = {},
): Promise<RemovalOutcome> {
  using deadline = new Deadline({ timeoutMs: options.timeoutMs ?? 15_000 });
  const outcome: RemovalOutcome = { removed: [], failed: [] };
  for (const kind of RESOURCE_KINDS) {
    let pending = resources.filter((resource) => resource.kind === kind);
    const reasons = new Map<OwnedResource, string>();
    while (pending.length > 0) {
      const left: OwnedResource[] = [];
      // One at a time: Docker 20.10 can miscount a network's endpoints when containers on it are
      // removed at once, and then refuses to remove the network ("has active endpoints").
      for (const resource of pending) {
        const reason = await removeOne(engine, resource, options.requestTimeoutMs ?? 5000);
        if (reason === undefined) outcome.removed.push(resource);
        else {
          reasons.set(resource, reason);
          left.push(resource);
        }
      }
      pending = left;
      if (pending.length === 0 || deadline.remainingMs() <= (options.retryPauseMs ?? 250)) break;
      await sleep(options.retryPauseMs ?? 250);
    }
    for (const resource of pending)
      outcome.failed.push({ resource, reason: reasons.get(resource) ?? 'not removed' });
  }
  return outcome;
}

/** Removes one resource; returns undefined when it is gone, else the reason it is not. */
async function removeOne(
  engine: EngineClient,
  resource: OwnedResource,
  requestTimeoutMs: number,
): Promise<string | undefined> {
  try {
    await engine.json({
      ...removalRequest(resource),
      okStatus: [200, 204],
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    return undefined;
  } catch (error) {
    if (engineStatusOf(error) === 404) return undefined;
    // A container removal already under way counts as done once it finishes: try again.
    return ((error as Error).message ?? String(error)).split('\n')[0];
  }
}

function removalRequest(resource: OwnedResource): EngineRequest {
  const id = encodeURIComponent(resource.id);
  switch (resource.kind) {
    case 'container':
      return { method: 'DELETE', path: `/containers/${id}`, query: { force: true, v: true } };
    case 'network':
      return { method: 'DELETE', path: `/networks/${id}` };
    case 'volume':
      return { method: 'DELETE', path: `/volumes/${id}` };
    case 'image':
      return { method: 'DELETE', path: `/images/${id}`, query: { noprune: false } };
  }
}
