import { listComposeContainers, runningByService } from '../docker/compose/compose-containers.js';
import { readComposeFile } from '../docker/compose/compose-file.js';
import { DockerError } from '../errors.js';
import type { HostOptions } from '../hosts/host-options.js';
import { declaredStacksOf, type DeclaredStack } from './compose-context.js';
import { ComposePlaceholderHost } from './compose-placeholder-host.js';
import { ComposeServiceHost, composeServiceHostId } from './compose-service-host.js';
import {
  closeDockerParent,
  dockerParentFor,
  LOCAL_PARENT_ID,
  type HostSource,
} from './docker-parents.js';
import type { Lab } from './lab.js';
import type { Repo } from './settings.js';

/**
 * Placeholders: every declared service of every `[[docker.composes]]` is a host id of the lab
 * (`<parent>.<repo>.<service>`) before any `up`, so listing and completion show them. Listing
 * one reads only the settings (and the compose file when the settings name no services); using
 * one finds its running container through the engine, and never starts a stack.
 */

/** One declared service as a lab host id. */
export interface ComposePlaceholder {
  /** `<parent>.<repo>.<service>`, lowercased. */
  id: string;
  service: string;
  stack: DeclaredStack;
}

/**
 * The placeholders of the repos' stacks whose parent is `local` or a host of `lab`. A compose file
 * that cannot be read gives no placeholders and a warning in `warnings`.
 */
export async function composePlaceholders(
  repos: readonly Repo[],
  lab: Lab,
  warnings: string[] = [],
): Promise<ComposePlaceholder[]> {
  const found = new Map<string, ComposePlaceholder>();
  for (const repo of repos)
    for (const stack of declaredStacksOf(repo)) {
      if (stack.parentId !== LOCAL_PARENT_ID && !lab.hosts.has(stack.parentId)) continue;
      for (const service of await declaredServicesOf(stack, warnings)) {
        const id = composeServiceHostId(stack.parentId, stack.repoName, service);
        if (!found.has(id) && !lab.hosts.has(id)) found.set(id, { id, service, stack });
      }
    }
  return [...found.values()];
}

async function declaredServicesOf(stack: DeclaredStack, warnings: string[]): Promise<string[]> {
  if (stack.entry.services.length > 0) return stack.entry.services;
  try {
    return (await readComposeFile(stack.path)).services;
  } catch (error) {
    warnings.push(`the services of ${stack.path} are not hosts: ${(error as Error).message}`);
    return [];
  }
}

/** The placeholders as the extra hosts of a host pool. */
export function placeholderHosts(
  placeholders: readonly ComposePlaceholder[],
  lab: Lab,
  hosts: HostSource,
  hostOptions: HostOptions = {},
): { ids: string[]; make: (id: string) => ComposePlaceholderHost | undefined } {
  const byId = new Map(placeholders.map((placeholder) => [placeholder.id, placeholder]));
  return {
    ids: [...byId.keys()],
    make: (id) => {
      const placeholder = byId.get(id);
      if (!placeholder) return undefined;
      const resources =
        placeholder.stack.parentId === LOCAL_PARENT_ID
          ? []
          : (lab.hosts.get(placeholder.stack.parentId)?.entry.resources ?? []);
      return new ComposePlaceholderHost(id, resources, (signal) =>
        findServiceHost(placeholder, lab, hosts, { ...hostOptions, id }, signal),
      );
    },
  };
}

/** The service's running container as a host; a stack that is not up is `STACK_NOT_UP`. */
export async function findServiceHost(
  placeholder: ComposePlaceholder,
  lab: Lab,
  hosts: HostSource,
  hostOptions: HostOptions = {},
  signal?: AbortSignal,
): Promise<ComposeServiceHost> {
  const { stack, service } = placeholder;
  const parent = dockerParentFor(lab, hosts, stack.parentId);
  try {
    const containers = await listComposeContainers(parent.engine, stack.project, signal);
    const running = runningByService(containers, [service]).get(service);
    if (!running) throw stackNotUp(placeholder);
    return new ComposeServiceHost(
      running.id,
      {
        parentId: parent.id,
        repo: stack.repoName,
        service,
        composeProject: stack.project,
        resources: parent.resources,
      },
      { ...hostOptions, engine: parent.engine },
    );
  } catch (error) {
    await closeDockerParent(parent);
    throw error;
  }
}

function stackNotUp({ id, service, stack }: ComposePlaceholder): DockerError {
  const on = stack.parentId === LOCAL_PARENT_ID ? '' : ` --on ${stack.parentId}`;
  return new DockerError(
    'STACK_NOT_UP',
    `Host "${id}" has no container: service "${service}" of compose project "${stack.project}" (${stack.path}) is not running on ${stack.parentId}.`,
    { host: id, fix: `start the stack with \`otto docker up${on}\`.` },
  );
}
