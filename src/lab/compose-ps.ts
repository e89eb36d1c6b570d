import {
  listComposeContainers,
  type ComposeContainer,
} from '../docker/compose/compose-containers.js';
import { findDeclaredStack, openStackParent } from './compose-context.js';
import { composeServiceHostId } from './compose-service-host.js';
import type { ComposeStackOptions } from './compose-stacks.js';
import { closeDockerParent } from './docker-parents.js';

/** One container of a declared stack, for `otto docker ps`. */
export interface ComposePsRow extends ComposeContainer {
  /** Its host id, `<parent>.<repo>.<service>`. */
  hostId: string;
  /** The compose project. */
  project: string;
}

/**
 * The containers of a repo's stack on its parent (none when it is not up), from the engine only.
 * @example const rows = await composePs({ repo });
 */
export async function composePs(options: ComposeStackOptions): Promise<ComposePsRow[]> {
  const declared = findDeclaredStack(options.repo, options.compose, options.on);
  const parent = openStackParent(options, declared.parentId);
  try {
    const containers = await listComposeContainers(parent.engine, declared.project, options.signal);
    return containers.map((container) => ({
      ...container,
      project: declared.project,
      hostId: composeServiceHostId(parent.id, declared.repoName, container.service),
    }));
  } finally {
    await closeDockerParent(parent);
  }
}
