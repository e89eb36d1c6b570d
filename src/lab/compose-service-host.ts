import { ContainerHost, type ContainerHostOptions } from '../hosts/container-host.js';

/**
 * The container of a compose service as a host of the lab: a {@link ContainerHost} with id
 * `<parent>.<repo>.<service>` (lowercase) and what it belongs to, inheriting the parent's
 * reservation resources (a parent's reservation covers its containers).
 */

/** Where a service host's container belongs. */
export interface ComposeServiceInfo {
  /** The parent whose engine runs it: `local` or a docker-capable lab host. */
  parentId: string;
  /** The repo whose `[[docker.composes]]` declares the stack. */
  repo: string;
  /** The compose service. */
  service: string;
  /** The compose project name. */
  composeProject: string;
  /** The parent's reservation resources. */
  resources: readonly string[];
}

/** The lab host id of a compose service: `<parent>.<repo>.<service>`, lowercased. */
export function composeServiceHostId(parentId: string, repo: string, service: string): string {
  return `${parentId}.${repo}.${service}`.toLowerCase();
}

/**
 * A running compose service container, reached through its parent's engine.
 * @example
 * const stack = await composeUp({ repo });
 * await stack.services.web.run('wget -qO- localhost:8080');
 */
export class ComposeServiceHost extends ContainerHost {
  /** The parent's id (`local` or a lab host). */
  readonly parentId: string;
  /** The repo's name. */
  readonly repo: string;
  /** The compose service. */
  readonly service: string;
  /** The compose project name. */
  readonly composeProject: string;
  /** The parent's reservation resources. */
  readonly resources: readonly string[];

  /** The host of container `containerId` of a service; the engine is the caller's to close. */
  constructor(
    containerId: string,
    info: ComposeServiceInfo,
    options: ContainerHostOptions & Required<Pick<ContainerHostOptions, 'engine'>>,
  ) {
    super(containerId, {
      ...options,
      id: options.id ?? composeServiceHostId(info.parentId, info.repo, info.service),
    });
    this.parentId = info.parentId;
    this.repo = info.repo;
    this.service = info.service;
    this.composeProject = info.composeProject;
    this.resources = [...info.resources];
  }
}
