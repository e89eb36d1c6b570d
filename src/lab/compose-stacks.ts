import type { ProgressListener } from '../common/progress.js';
import type { ComposeContainer } from '../docker/compose/compose-containers.js';
import type { ComposeFileModel } from '../docker/compose/compose-file.js';
import {
  downComposeStack,
  upComposeStack,
  type ComposeStackSpec,
} from '../docker/compose/compose-stack.js';
import { ownershipLabels, type Lifetime } from '../docker/labels.js';
import { trackOwnedResources } from '../docker/ownership/watchdog.js';
import type { HostOptions } from '../hosts/host-options.js';
import {
  findDeclaredStack,
  openStackParent,
  readStack,
  type ComposeSelector,
  type DeclaredStack,
} from './compose-context.js';
import { ComposeServiceHost } from './compose-service-host.js';
import { removeStaging, stageBindSources } from './compose-staging.js';
import { closeDockerParent, type DockerParent, type HostSource } from './docker-parents.js';
import type { Lab } from './lab.js';
import type { Repo } from './settings.js';

/**
 * Compose stacks for suites, instructions and the CLI: {@link composeUp} starts a repo's stack
 * (building its images first) and gives each service as a typed host; {@link composeDown} takes
 * it down; {@link composeStack} is the scoped form, whose dispose takes down only what it started.
 */

/** Options of {@link composeUp}, {@link composeDown} and {@link composeStack}. */
export interface ComposeStackOptions {
  /** The repo whose `[[docker.composes]]` declares the stack. */
  repo: Repo;
  /** Repos whose `[[docker.images]]` are built first. @default [repo] */
  repos?: readonly Repo[];
  /** Which `[[docker.composes]]` entry: position or path. @default 0 */
  compose?: ComposeSelector;
  /** The parent: `local` or a docker-capable lab host. @default the entry's default_host, else local */
  on?: string;
  /** The lab the parent is a host of. @default none (only `local`) */
  lab?: Lab;
  /** Where the parent's lab host is found (an invocation's or suite's host pool). */
  hosts?: HostSource;
  /** Services to start. @default the entry's `services`, else all of the file */
  services?: readonly string[];
  /** Build the repos' images first (skipped per image when its content hash exists). @default true */
  build?: boolean;
  /**
   * `process`: removed by the watchdog when this process dies; `kept`: outlives it (the CLI's).
   * @default 'process'
   */
  lifetime?: Lifetime;
  /** Options of every service host (logger, timeouts). */
  hostOptions?: HostOptions;
  /** Progress of the image builds. */
  onProgress?: ProgressListener;
  /** Each line compose prints. */
  onLine?: (line: string) => void;
  /** Stops the work; an interrupted `up` takes down what it started. */
  signal?: AbortSignal;
}

/** A stack's context: where it runs and what it is. */
/** How long taking a stack down may take once its `up` signal no longer applies. */
const DOWN_TIMEOUT_MS = 120_000;

interface OpenedStack {
  declared: DeclaredStack;
  model: ComposeFileModel;
  services: string[];
  parent: DockerParent;
  spec: ComposeStackSpec;
}

async function openStack(options: ComposeStackOptions, lifetime: Lifetime): Promise<OpenedStack> {
  const declared = findDeclaredStack(options.repo, options.compose, options.on);
  const { model, services } = await readStack(declared, options.services);
  const parent = openStackParent(options, declared.parentId);
  const ssh = parent.sshHost;
  const spec: ComposeStackSpec = {
    engine: parent.engine,
    createConnection: ssh && (() => ssh.ssh.openUnixSocket(parent.socketPath)),
    project: declared.project,
    model,
    services,
    labels: ownershipLabels('compose-stack', {}, { lifetime }),
    stage: ssh && (() => stageBindSources(ssh, declared.project, model, services, options.signal)),
    onLine: options.onLine,
    signal: options.signal,
  };
  return { declared, model, services, parent, spec };
}

/**
 * A started stack: its services as hosts. `close` closes the hosts and leaves the stack running;
 * `down` takes it down.
 */
export class ComposeStack implements AsyncDisposable {
  /** True when every service was running already (nothing was started). */
  readonly alreadyUp: boolean;
  /** The compose project name. */
  readonly project: string;
  /** The parent's id. */
  readonly parentId: string;
  /** The service hosts, by service name. */
  readonly services: Readonly<Record<string, ComposeServiceHost>>;
  private closing: Promise<void> | undefined;

  /** @internal made by {@link composeUp} */
  constructor(
    private readonly opened: OpenedStack,
    containers: ReadonlyMap<string, ComposeContainer>,
    alreadyUp: boolean,
    options: ComposeStackOptions,
    private readonly scoped = false,
  ) {
    this.alreadyUp = alreadyUp;
    this.project = opened.declared.project;
    this.parentId = opened.parent.id;
    const services: Record<string, ComposeServiceHost> = {};
    for (const [service, container] of containers)
      services[service] = new ComposeServiceHost(
        container.id,
        {
          parentId: opened.parent.id,
          repo: opened.declared.repoName,
          service,
          composeProject: this.project,
          resources: opened.parent.resources,
        },
        { ...options.hostOptions, engine: opened.parent.engine },
      );
    this.services = services;
  }

  /** The service hosts, in service order. */
  get hosts(): ComposeServiceHost[] {
    return Object.values(this.services);
  }

  /** Takes the stack down (containers, networks, named volumes, staging), then closes. */
  async down(): Promise<boolean> {
    await Promise.allSettled(this.hosts.map((host) => host.close()));
    // Cleanup, with a bounded signal of its own: the one `up` had may be aborted (Ctrl-C) by now.
    const spec = { ...this.opened.spec, signal: AbortSignal.timeout(DOWN_TIMEOUT_MS) };
    try {
      return await takeDown({ ...this.opened, spec });
    } finally {
      await this.close();
    }
  }

  /** Closes the service hosts and the parent's engine client; the stack keeps running. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await Promise.allSettled(this.hosts.map((host) => host.close()));
      await closeDockerParent(this.opened.parent);
    })());
  }

  /** Scoped ({@link composeStack}): down when this stack started it; otherwise close. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.scoped && !this.alreadyUp) await this.down();
    else await this.close();
  }
}

/**
 * Starts a repo's compose stack (building its images first unless `build: false`) and returns its
 * services as hosts; a stack whose services all run is not started again (`alreadyUp`). Stacks
 * started here have lifetime `process` unless asked otherwise: the watchdog removes them when
 * this process dies.
 * @example
 * const stack = await composeUp({ repo });
 * await stack.services.web.run('cat /etc/hostname');
 * await stack.down();
 */
export async function composeUp(options: ComposeStackOptions): Promise<ComposeStack> {
  return startStack(options, false);
}

/**
 * The scoped form of {@link composeUp}: disposing takes the stack down when this call started
 * it, and only closes the hosts when it was up already.
 * @example await using stack = await composeStack({ repo });
 */
export async function composeStack(options: ComposeStackOptions): Promise<ComposeStack> {
  return startStack(options, true);
}

async function startStack(options: ComposeStackOptions, scoped: boolean): Promise<ComposeStack> {
  const lifetime = options.lifetime ?? 'process';
  const opened = await openStack(options, lifetime);
  try {
    if (options.build !== false) await buildImagesOf(options, opened.parent);
    if (lifetime === 'process') trackOwnedResources(opened.parent.engine);
    const { alreadyUp, containers } = await upComposeStack(opened.spec);
    return new ComposeStack(opened, containers, alreadyUp, options, scoped);
  } catch (error) {
    await closeDockerParent(opened.parent);
    throw error;
  }
}

async function buildImagesOf(options: ComposeStackOptions, parent: DockerParent): Promise<void> {
  const repos = (options.repos ?? [options.repo]).filter(
    (repo) => (repo.settings.docker?.images.length ?? 0) > 0,
  );
  if (repos.length === 0) return;
  // Loaded only when there is something to build: most stacks run images built elsewhere.
  const { buildRepoImages } = await import('./repo-images.js');
  await buildRepoImages(parent.engine, repos, {
    onProgress: options.onProgress,
    signal: options.signal,
  });
}

/**
 * Takes a repo's stack down: `compose down --timeout 1 --volumes` (only a stack whose containers
 * and networks carry our labels), and its staging folder on a remote parent. Returns false when
 * it was not up.
 * @example await composeDown({ repo, lab, hosts: pool, on: 'builder' });
 */
export async function composeDown(options: ComposeStackOptions): Promise<boolean> {
  const opened = await openStack({ ...options, services: undefined }, 'kept');
  try {
    return await takeDown(opened);
  } finally {
    await closeDockerParent(opened.parent);
  }
}

async function takeDown(opened: OpenedStack): Promise<boolean> {
  const removed = await downComposeStack(opened.spec);
  if (opened.parent.sshHost) await removeStaging(opened.parent.sshHost, opened.declared.project);
  return removed;
}
