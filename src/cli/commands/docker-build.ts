import { formatDurationMs } from '../../common/duration.js';
import type { ProgressListener } from '../../common/progress.js';
import { EngineClient } from '../../docker/engine/engine-client.js';
import type { DockerParent } from '../../lab/docker-parents.js';
import { buildRepoImages, selectRepoImages, type RepoImageResult } from '../../lab/repo-images.js';
import { requireRepos } from '../../lab/repos.js';
import type { Repo } from '../../lab/settings.js';
import { startBackgroundSweep } from '../background-sweep.js';
import { runUntilInterrupted } from '../interrupt.js';
import {
  resolveGlobalOptions,
  type GlobalFlags,
  type GlobalOptions,
} from '../invocation/global-options.js';
import type { Invocation } from '../invocation/invocation.js';
import { createProgressPrinter } from '../progress-printer.js';
import { EXIT_INTERRUPTED, reportFailure } from '../report-failure.js';
import { processSecrets } from '../../common/secret-masker.js';

/** The flags of `otto docker build` (the command tree's `DockerFlags` has them). */
export interface DockerBuildFlags {
  /** The parent whose engine builds: `local` or a docker-capable lab host. */
  on?: string;
  /** Build even when an image of the same content hash exists. */
  rebuild?: boolean;
}

/** Where the images are built: the engine, and the lab host it belongs to (none for local). */
interface BuildTarget {
  engine: EngineClient;
  /** The lab host whose engine it is; undefined for this machine's. */
  hostId?: string;
  /** Writes a line to `otto.log`, when the build has an invocation. */
  log?: (level: 'debug' | 'info', text: string) => void;
}

/**
 * `otto docker build [--on HOST] [--rebuild] [IMAGE...]`: builds the repos' declared images (all,
 * or those named) on this machine's engine or a docker-capable lab host's, each unless an image
 * of its content hash exists. Prints one line per image; streams a line per build step on stderr
 * (a step's output goes to the progress line on a terminal, and to `otto.log` with `--on`). Exit
 * code 1 when a build fails (the step is named, with its output), 2 for a mistake in the
 * arguments or the settings, 130 after Ctrl-C (the build request is cut, the engine stops the
 * build, nothing is tagged).
 *
 * On this machine's engine, with no lab, it works like `otto image`: no lab, no reservation gate
 * and no output directory, so that finding an image by its hash stays a matter of milliseconds
 * after start-up. With `--on` (or a lab) it is an invocation like `otto host`: the lab is loaded,
 * the reservation gate passed, and everything logged in `otto.log`.
 */
export async function dockerBuildCommand(
  globals: GlobalFlags,
  images: string[],
  flags: DockerBuildFlags,
): Promise<number> {
  const options = resolveGlobalOptions(globals);
  const repos = await requireRepos();
  // Unknown names and missing declarations are told before anything connects.
  selectRepoImages(repos, images);
  const isLocal = (flags.on ?? 'local') === 'local' && options.labNames.length === 0;
  if (isLocal) return buildLocally(repos, images, flags);
  return buildInInvocation(options, repos, images, flags);
}

async function buildLocally(
  repos: readonly Repo[],
  names: readonly string[],
  flags: DockerBuildFlags,
): Promise<number> {
  return runUntilInterrupted(async (signal) => {
    const engine = EngineClient.fromEnvironment();
    const sweep = startBackgroundSweep(engine);
    try {
      return await buildOn({ engine }, repos, names, flags, signal);
    } catch (error) {
      const exitCode = reportFailure(error);
      return signal.aborted ? EXIT_INTERRUPTED : exitCode;
    } finally {
      await sweep.finish();
      await engine.close();
    }
  });
}

async function buildInInvocation(
  options: GlobalOptions,
  repos: readonly Repo[],
  names: readonly string[],
  flags: DockerBuildFlags,
): Promise<number> {
  // Loaded only here: the lab, its hosts and SSH are no part of a build on this machine.
  const [{ Invocation }, parents] = await Promise.all([
    import('../invocation/invocation.js'),
    import('../../lab/docker-parents.js'),
  ]);
  const onLabHost = flags.on !== undefined && flags.on !== parents.LOCAL_PARENT_ID;
  const invocation: Invocation = await Invocation.start(options, {
    command: 'docker',
    name: 'build',
    repos,
    needsLab: onLabHost,
    gated: onLabHost,
  });
  return invocation.complete(async (signal) => {
    const parent: DockerParent = parents.dockerParentFor(invocation.lab, invocation.pool, flags.on);
    const sweep = startBackgroundSweep(parent.engine);
    const target: BuildTarget = {
      engine: parent.engine,
      hostId: parent.sshHost ? parent.id : undefined,
      log: (level, text) => invocation.logger.toFile(level, text),
    };
    try {
      return await buildOn(target, repos, names, flags, signal);
    } finally {
      await sweep.finish();
      await parents.closeDockerParent(parent);
    }
  });
}

async function buildOn(
  target: BuildTarget,
  repos: readonly Repo[],
  names: readonly string[],
  flags: DockerBuildFlags,
  signal: AbortSignal,
): Promise<number> {
  const progress = createBuildProgress(target.log);
  try {
    const results = await buildRepoImages(target.engine, repos, {
      names,
      rebuild: flags.rebuild,
      onProgress: progress,
      signal,
    });
    for (const result of results) console.log(describeResult(result, target.hostId));
    return 0;
  } finally {
    progress.done();
  }
}

function describeResult(result: RepoImageResult, hostId: string | undefined): string {
  const what = result.built
    ? `built in ${formatDurationMs(result.durationMs)}`
    : `up to date (${result.hashTag})`;
  const where = hostId ? ` on ${hostId}` : '';
  return `${result.ref} ${result.id.slice(7, 19)}${where}: ${what}.`;
}

/**
 * Each step on a line of its own on stderr; a step's output on the progress line that a terminal
 * redraws in place, and in `otto.log` when there is one.
 */
function createBuildProgress(log: BuildTarget['log']): ProgressListener & { done(): void } {
  const printer = createProgressPrinter();
  const isTty = process.stderr.isTTY === true;
  const listener: ProgressListener = (event) => {
    const text = processSecrets.mask(event.message);
    if (event.phase === 'output') {
      log?.('debug', `${event.subject}: ${text}`);
      if (isTty) printer({ ...event, message: text });
      return;
    }
    printer.done();
    log?.('info', `${event.subject}: ${text}`);
    process.stderr.write(`${event.subject}: ${text}\n`);
  };
  return Object.assign(listener, { done: () => printer.done() });
}
