import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerError, isOttoError } from '../../errors.js';
import type { ConnectionFactory } from '../engine/engine-agent.js';
import type { EngineClient } from '../engine/engine-client.js';
import { findComposeCli, runCompose, type ComposeCli } from './compose-cli.js';
import {
  listComposeContainers,
  runningByService,
  type ComposeContainer,
} from './compose-containers.js';
import type { ComposeFileModel } from './compose-file.js';
import { composeOverrideText } from './compose-override.js';
import { checkOnlyOursWouldGo } from './foreign-resources.js';
import { openSocketForward } from './socket-forward.js';

/**
 * Compose stacks on one engine, with the real compose CLI: `up` (idempotent: no compose process
 * when every service is running), `down` (`--timeout 1`, only stacks whose containers carry our
 * labels) and the project's containers. The engine is reached by the CLI directly (a local one)
 * or through a local socket forwarded over a connection factory (a remote one).
 */

/** One stack on one engine. */
export interface ComposeStackSpec {
  /** The engine, for looking up containers. */
  engine: EngineClient;
  /** Opens connections to the engine's socket, for a remote engine. @default the engine's endpoint */
  createConnection?: ConnectionFactory;
  /** Compose project name. */
  project: string;
  model: ComposeFileModel;
  /** The services to start, all declared in `model`. */
  services: readonly string[];
  /** Ownership labels of every container, network and volume. */
  labels: Record<string, string>;
  /**
   * Copies bind sources to the engine's machine (remote engines), only when compose is to run;
   * returns local path → path there.
   */
  stage?: () => Promise<ReadonlyMap<string, string>>;
  /** @default found by {@link findComposeCli} */
  cli?: ComposeCli;
  /** Each line compose prints. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** What {@link upComposeStack} found or started. */
export interface ComposeUpResult {
  /** True when every service was running already, and compose was not run. */
  alreadyUp: boolean;
  /** The running container of each service. */
  containers: Map<string, ComposeContainer>;
}

/**
 * Starts the stack's services with `compose up -d`, unless each has a running container of ours.
 * A failed or interrupted `up` takes down what it started before it rethrows, so no half-started
 * stack of ours is left running.
 */
export async function upComposeStack(spec: ComposeStackSpec): Promise<ComposeUpResult> {
  const before = await listComposeContainers(spec.engine, spec.project, spec.signal);
  const running = runningByService(before, spec.services);
  if (running.size === spec.services.length) return { alreadyUp: true, containers: running };
  try {
    const stagedSources = await spec.stage?.();
    await withComposeCall(spec, (call) => call(['up', '-d', ...spec.services]), stagedSources);
  } catch (error) {
    if (before.length === 0) await downAfterFailedUp(spec);
    throw error;
  }
  const after = runningByService(
    await listComposeContainers(spec.engine, spec.project),
    spec.services,
  );
  const missing = spec.services.filter((service) => !after.has(service));
  if (missing.length > 0) throw servicesNotRunning(spec, missing);
  return { alreadyUp: false, containers: after };
}

/**
 * Stops and removes the stack (`compose down --timeout 1 --volumes`): its containers, its
 * networks and its named volumes, never external ones. Returns false when nothing of it existed.
 * Refuses, touching nothing, when compose would remove a container or network without our labels.
 */
export async function downComposeStack(spec: ComposeStackSpec): Promise<boolean> {
  const containers = await listComposeContainers(spec.engine, spec.project, spec.signal);
  if (!(await checkOnlyOursWouldGo(spec, containers))) return false;
  await withComposeCall(spec, (call) => call(['down', '--timeout', '1', '--volumes']));
  return true;
}

type ComposeCaller = (args: readonly string[]) => Promise<string>;

/** Runs compose with the user's file and our override, against the stack's engine. */
async function withComposeCall<T>(
  spec: ComposeStackSpec,
  work: (call: ComposeCaller) => Promise<T>,
  stagedSources?: ReadonlyMap<string, string>,
): Promise<T> {
  const cli = spec.cli ?? (await findComposeCli());
  const dir = await mkdtemp(join(tmpdir(), 'otto-compose-'));
  const forward = spec.createConnection
    ? await openSocketForward(spec.createConnection)
    : undefined;
  try {
    const override = join(dir, 'otto-override.yml');
    const text = composeOverrideText({ model: spec.model, labels: spec.labels, stagedSources });
    await writeFile(override, text, { mode: 0o600 });
    const dockerHost = forward?.dockerHost ?? spec.engine.endpoint.url;
    return await work((args) =>
      runCompose({
        cli,
        project: spec.project,
        files: [spec.model.path, override],
        dockerHost,
        args,
        onLine: spec.onLine,
        signal: spec.signal,
      }).catch((error: unknown) => rethrowEngineGone(spec, error)),
    );
  } finally {
    await forward?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Compose failed: when the engine itself no longer answers (stopped, killed), that is the reason
 * to give, with how to start it, rather than compose's traceback (which stays in the log).
 */
async function rethrowEngineGone(spec: ComposeStackSpec, error: unknown): Promise<never> {
  if (isOttoError(error) && error.code === 'COMPOSE_FAILED') await spec.engine.version();
  throw error;
}

/** With a signal of its own (bounded): it runs after an abort, to remove what `up` made. */
async function downAfterFailedUp(spec: ComposeStackSpec): Promise<void> {
  const cleanup = { ...spec, signal: AbortSignal.timeout(30_000), onLine: undefined };
  // The failure being reported is the one that matters; this is best effort.
  await downComposeStack(cleanup).catch(() => undefined);
}

function servicesNotRunning(spec: ComposeStackSpec, missing: string[]): DockerError {
  return new DockerError(
    'SERVICE_NOT_RUNNING',
    `compose up of project "${spec.project}" (${spec.model.path}) left ${missing.map((name) => `"${name}"`).join(', ')} not running.`,
    {
      transport: spec.engine.endpoint.url,
      fix: `see why with \`docker logs\` on its container (project ${spec.project}); a service that exits at once has no command that keeps it up.`,
    },
  );
}
