import type { EngineClient } from '../engine/engine-client.js';
import {
  identityOf,
  LIFETIME_LABEL,
  OWNER_LABEL,
  OWNER_VALUE,
  PID_LABEL,
  PURPOSE_LABEL,
  RECIPE_LABEL,
} from '../labels.js';
import { ownerLiveness, type Liveness, type ProcessIdentity } from './process-identity.js';

/** The kinds of resource otto-ts creates, in the order they are removed. */
export const RESOURCE_KINDS = ['container', 'network', 'volume', 'image'] as const;

/** One kind of Docker resource. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** A Docker resource carrying `otto.owner=otto-ts`, in our own terms. */
export interface OwnedResource {
  /** Container, network, volume or image. */
  kind: ResourceKind;
  /** Id (a volume's id is its name). */
  id: string;
  /** Name for people: container or network name, volume name, first image tag or short id. */
  name: string;
  /** Every label of the resource. */
  labels: Record<string, string>;
}

/**
 * What may happen to an owned resource: `kept` and `unknown` (an owner on another machine, or
 * labels without an identity) are never touched; `alive` belongs to a running process; `dead` is
 * a leftover of a process that is gone.
 */
export type ResourceStatus = 'kept' | 'alive' | 'dead' | 'unknown';

/**
 * Lists the resources of one kind carrying `otto.owner=otto-ts` and every label in `labels` (the
 * engine filters; the owner label is checked again here so that no filter mistake reaches removal).
 */
export async function listOwnedResources(
  engine: EngineClient,
  kind: ResourceKind,
  labels: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<OwnedResource[]> {
  const wanted = { ...labels, [OWNER_LABEL]: OWNER_VALUE };
  const filters = JSON.stringify({
    label: Object.entries(wanted).map(([key, value]) => `${key}=${value}`),
  });
  const found = await listRaw(engine, kind, filters, signal);
  return found.filter((resource) =>
    Object.entries(wanted).every(([key, value]) => resource.labels[key] === value),
  );
}

/** Lists every owned resource, kind by kind in removal order. */
export async function listAllOwnedResources(
  engine: EngineClient,
  labels: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<OwnedResource[]> {
  const lists = await Promise.all(
    RESOURCE_KINDS.map((kind) => listOwnedResources(engine, kind, labels, signal)),
  );
  return lists.flat();
}

/** Whether a resource may be removed: see {@link ResourceStatus}. */
export function statusOf(resource: OwnedResource, local?: ProcessIdentity): ResourceStatus {
  if (resource.labels[OWNER_LABEL] !== OWNER_VALUE) return 'unknown';
  const lifetime = resource.labels[LIFETIME_LABEL];
  // Cached images from before the lifetime label are kept too: their recipe says what they are.
  if (lifetime === 'kept' || (lifetime === undefined && resource.labels[RECIPE_LABEL]))
    return 'kept';
  if (lifetime !== 'process') return 'unknown';
  const liveness: Liveness = ownerLiveness(identityOf(resource.labels), local);
  return liveness;
}

/** One line about a resource for people: kind, name, owner pid and purpose. */
export function describeResource(resource: OwnedResource): string {
  const shortId = resource.id.replace(/^sha256:/, '').slice(0, 12);
  const name =
    resource.kind === 'volume'
      ? resource.name
      : resource.name === resource.id
        ? shortId
        : `${resource.name} (${shortId})`;
  const pid = resource.labels[PID_LABEL] ?? '?';
  const purpose = resource.labels[PURPOSE_LABEL] ?? '?';
  return `${resource.kind.padEnd(9)} ${name}  owner pid ${pid}  purpose ${purpose}`;
}

type Labels = Record<string, string> | null | undefined;

async function listRaw(
  engine: EngineClient,
  kind: ResourceKind,
  filters: string,
  signal?: AbortSignal,
): Promise<OwnedResource[]> {
  const get = <T>(path: string, query: Record<string, string | boolean>) =>
    engine.json<T>({ method: 'GET', path, query: { ...query, filters }, signal });
  if (kind === 'container') {
    const raw = await get<Array<{ Id: string; Names?: string[]; Labels: Labels }>>(
      '/containers/json',
      { all: true },
    );
    return raw.map((c) => owned(kind, c.Id, c.Names?.[0]?.replace(/^\//, ''), c.Labels));
  }
  if (kind === 'network') {
    const raw = await get<Array<{ Id: string; Name: string; Labels: Labels }>>('/networks', {});
    return raw.map((n) => owned(kind, n.Id, n.Name, n.Labels));
  }
  if (kind === 'volume') {
    const raw = await get<{ Volumes: Array<{ Name: string; Labels: Labels }> | null }>(
      '/volumes',
      {},
    );
    return (raw.Volumes ?? []).map((v) => owned(kind, v.Name, v.Name, v.Labels));
  }
  const raw = await get<Array<{ Id: string; RepoTags: string[] | null; Labels: Labels }>>(
    '/images/json',
    {},
  );
  return raw.map((i) => owned(kind, i.Id, usableTag(i.RepoTags), i.Labels));
}

function owned(kind: ResourceKind, id: string, name: string | undefined, labels: Labels) {
  return { kind, id, name: name ?? id, labels: labels ?? {} };
}

function usableTag(tags: string[] | null): string | undefined {
  return tags?.find((tag) => tag !== '<none>:<none>');
}
