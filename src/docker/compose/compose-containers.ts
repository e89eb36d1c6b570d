import type { EngineClient } from '../engine/engine-client.js';
import { OWNER_LABEL, OWNER_VALUE, RUN_LABEL } from '../labels.js';

/**
 * A compose project's containers, found through the Engine API by compose's own labels
 * (`com.docker.compose.project`, `com.docker.compose.service`): no compose process is started to
 * look, and a service is found by its name, never by a container name.
 */

/** The label compose puts the project name in. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
/** The label compose puts the service name in. */
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
const ONEOFF_LABEL = 'com.docker.compose.oneoff';

/** One container of a compose project. */
export interface ComposeContainer {
  /** The full container id. */
  id: string;
  /** The container's name, without the leading `/`. */
  name: string;
  /** The compose service it belongs to. */
  service: string;
  /** The engine's state: `running`, `exited`, `created`, … */
  state: string;
  /** The image it runs, as given to compose. */
  image: string;
  /** True when it carries our ownership labels (see {@link isOwnedByOtto}). */
  owned: boolean;
}

interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image: string;
  State: string;
  Labels?: Record<string, string>;
}

/**
 * The project's service containers (one-off `compose run` containers left out), running or not,
 * sorted by service then name.
 * @example const containers = await listComposeContainers(engine, 'otto-demo-alice');
 */
export async function listComposeContainers(
  engine: EngineClient,
  project: string,
  signal?: AbortSignal,
): Promise<ComposeContainer[]> {
  const summaries = await engine.json<ContainerSummary[]>({
    method: 'GET',
    path: '/containers/json',
    query: {
      all: true,
      filters: JSON.stringify({ label: [`${COMPOSE_PROJECT_LABEL}=${project}`] }),
    },
    signal,
  });
  return summaries
    .filter((summary) => !isOneOff(summary.Labels ?? {}))
    .map(toComposeContainer)
    .sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}

function isOneOff(labels: Record<string, string>): boolean {
  return (labels[ONEOFF_LABEL] ?? '').toLowerCase() === 'true';
}

function toComposeContainer(summary: ContainerSummary): ComposeContainer {
  const labels = summary.Labels ?? {};
  return {
    id: summary.Id,
    name: (summary.Names?.[0] ?? summary.Id).replace(/^\//, ''),
    service: labels[COMPOSE_SERVICE_LABEL] ?? '',
    state: summary.State,
    image: summary.Image,
    owned: isOwnedByOtto(labels),
  };
}

/**
 * True for labels otto put on a resource it made: the owner and a run. The owner label alone is
 * not enough: a container inherits its image's labels, and otto's images carry the owner label.
 */
export function isOwnedByOtto(labels: Record<string, string> | null | undefined): boolean {
  return labels?.[OWNER_LABEL] === OWNER_VALUE && labels[RUN_LABEL] !== undefined;
}

/** The running container otto owns for each of `services`; a service without one is left out. */
export function runningByService(
  containers: readonly ComposeContainer[],
  services: readonly string[],
): Map<string, ComposeContainer> {
  const found = new Map<string, ComposeContainer>();
  for (const container of containers)
    if (container.owned && container.state === 'running' && services.includes(container.service))
      if (!found.has(container.service)) found.set(container.service, container);
  return found;
}
