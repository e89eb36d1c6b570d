import { DockerError } from '../../errors.js';
import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { OWNER_LABEL } from '../labels.js';
import { isOwnedByOtto, type ComposeContainer } from './compose-containers.js';
import type { ComposeFileModel, ComposeResource } from './compose-file.js';

/**
 * The guard before `compose down`: compose removes by project label and by name, so a container,
 * network or volume someone else made under the same project name would go too. Before a down,
 * each thing compose would remove must carry our ownership label; otherwise nothing is touched.
 */

/** What {@link checkOnlyOursWouldGo} needs of a stack. */
export interface ForeignCheckSpec {
  engine: EngineClient;
  project: string;
  model: ComposeFileModel;
}

/**
 * Throws a DockerError `CLEANUP_FAILED` naming what compose would remove that is not ours.
 * Returns true when something of ours is there to remove.
 */
export async function checkOnlyOursWouldGo(
  spec: ForeignCheckSpec,
  containers: readonly ComposeContainer[],
): Promise<boolean> {
  const candidates = containers.filter((container) =>
    spec.model.services.includes(container.service),
  );
  const foreign = candidates
    .filter((container) => !container.owned)
    .map((container) => `container ${container.name}`);
  let oursPresent = candidates.some((container) => container.owned);
  const named = [
    ...declaredNetworks(spec.model).map((network) => ['networks', network] as const),
    ...spec.model.volumes
      .filter((volume) => !volume.external)
      .map((volume) => ['volumes', volume] as const),
  ];
  for (const [kind, resource] of named) {
    const name = resourceName(spec.project, resource);
    const owner = await ownerOf(spec.engine, kind, name);
    if (owner === 'foreign') foreign.push(`${kind.slice(0, -1)} ${name}`);
    oursPresent ||= owner === 'ours';
  }
  if (foreign.length > 0)
    throw new DockerError(
      'CLEANUP_FAILED',
      `Not taking down compose project "${spec.project}" (${spec.model.path}): ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not otto's (no ${OWNER_LABEL} label), and compose would remove ${foreign.length === 1 ? 'it' : 'them'}.`,
      {
        transport: spec.engine.endpoint.url,
        fix: 'remove or rename them yourself, or use another project name (OTTO_COMPOSE_SUFFIX).',
      },
    );
  return oursPresent;
}

function declaredNetworks(model: ComposeFileModel): ComposeResource[] {
  const own = model.networks.filter((network) => !network.external);
  return model.networks.some((network) => network.name === 'default')
    ? own
    : [...own, { name: 'default', external: false, definition: {} }];
}

/** Compose names a network or volume `<project>_<key>`, unless its definition gives a `name`. */
function resourceName(project: string, resource: ComposeResource): string {
  const { name } = resource.definition;
  return typeof name === 'string' ? name : `${project}_${resource.name}`;
}

async function ownerOf(
  engine: EngineClient,
  kind: 'networks' | 'volumes',
  name: string,
): Promise<'absent' | 'ours' | 'foreign'> {
  try {
    const found = await engine.json<{ Labels?: Record<string, string> | null }>({
      method: 'GET',
      path: `/${kind}/${encodeURIComponent(name)}`,
    });
    return isOwnedByOtto(found.Labels) ? 'ours' : 'foreign';
  } catch (error) {
    if (engineStatusOf(error) === 404) return 'absent';
    throw error;
  }
}
