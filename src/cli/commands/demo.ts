import { fileURLToPath } from 'node:url';
import { formatDurationMs } from '../../common/duration.js';
import { ensureEngine } from '../../docker/engine/ensure-engine.js';
import { EngineClient } from '../../docker/engine/engine-client.js';
import { ensureBaseImage } from '../../docker/images/base-images.js';
import { composeStack, type ComposeStack } from '../../lab/compose-stacks.js';
import { buildRepoImages } from '../../lab/repo-images.js';
import { readRepo, type Repo } from '../../lab/settings.js';
import { runUntilInterrupted } from '../interrupt.js';
import type { GlobalFlags } from '../invocation/global-options.js';
import { resolveGlobalOptions } from '../invocation/global-options.js';
import { createProgressPrinter } from '../progress-printer.js';
import { EXIT_INTERRUPTED, reportFailure } from '../report-failure.js';
import {
  describeDemoSteps,
  interruptRunningStep,
  runDemoSteps,
  type StepResult,
} from './demo-steps.js';

/**
 * `otto demo`: the built-in demo, end to end. Ensures the engine and the offline base images,
 * brings up the demo repo's compose stack (its image built unless its content hash exists), then
 * runs real otto commands on the repo: `otto run deploy` puts a status service into the web
 * container, `otto test DemoSuite` checks it as a stability run with one deliberately flaky test,
 * while a monitor records the containers' metrics and a span per test (`--monitor`).
 * The stack comes down at the end, also after a failure or Ctrl-C, and a summary names the logs
 * and reports. Exit code 0 when every step passed, 130 after Ctrl-C, else 1.
 */

/** The built-in demo repo, found beside this module (so the packed package has it too). */
export const DEMO_PROJECT_DIR = fileURLToPath(new URL('../../../demo/project', import.meta.url));

/** Runs the demo (see the file comment); the exit code is returned. */
export async function demoCommand(globals: GlobalFlags = {}): Promise<number> {
  return runUntilInterrupted(
    async (signal) => {
      let exitCode: number;
      try {
        exitCode = await runDemo(globals, signal);
      } catch (error) {
        exitCode = reportFailure(error);
      }
      return signal.aborted ? EXIT_INTERRUPTED : exitCode;
    },
    { beforeExit: interruptRunningStep },
  );
}

async function runDemo(globals: GlobalFlags, signal: AbortSignal): Promise<number> {
  const startMs = performance.now();
  // The steps find the same xdir: from the flag passed on to them, or from the same environment.
  const run = { globals, xdir: resolveGlobalOptions(globals).xdir, signal };
  const client = await prepareEngine();
  const repo = await readRepo(DEMO_PROJECT_DIR);
  await buildImages(client, repo, signal);
  const steps: StepResult[] = [];
  const stack = await startStack(repo, signal);
  let downMs = 0;
  try {
    await runDemoSteps(run, DEMO_PROJECT_DIR, steps);
  } finally {
    downMs = performance.now();
    await stack[Symbol.asyncDispose]();
  }
  const down = formatDurationMs(performance.now() - downMs);
  if (!stack.alreadyUp) console.log(`\nstack    ${stack.project} down in ${down}`);
  const passed = steps.length === 2 && steps.every((step) => step.exitCode === 0);
  const verdict = signal.aborted ? 'interrupted' : passed ? 'passed' : 'FAILED';
  const elapsed = formatDurationMs(performance.now() - startMs);
  console.log(`${await describeDemoSteps(steps)}\ndemo     ${verdict} in ${elapsed}`);
  return passed ? 0 : 1;
}

/** The engine and both offline base images, as `otto engine ensure` and `otto image base` do. */
async function prepareEngine(): Promise<EngineClient> {
  const progress = createProgressPrinter();
  try {
    const engine = await ensureEngine({ onProgress: progress });
    progress.done();
    console.log(
      `engine   Docker ${engine.version} at ${engine.endpoint} (${engine.wasRunning ? 'was running' : 'started'})`,
    );
    const client = EngineClient.fromEnvironment();
    for (const kind of ['busybox', 'debian'] as const) {
      const image = await ensureBaseImage(client, kind, { onProgress: progress });
      progress.done();
      console.log(
        `image    ${image.ref} ${image.built ? `built in ${formatDurationMs(image.durationMs)}` : 'up to date'}`,
      );
    }
    return client;
  } finally {
    progress.done();
  }
}

/** The repo's images, each skipped when its content hash exists (as `otto docker build`). */
async function buildImages(client: EngineClient, repo: Repo, signal: AbortSignal): Promise<void> {
  const progress = createProgressPrinter();
  try {
    for (const image of await buildRepoImages(client, repo, { onProgress: progress, signal })) {
      progress.done();
      console.log(
        `image    ${image.ref} ${image.built ? `built in ${formatDurationMs(image.durationMs)}` : `up to date (${image.hashTag})`}`,
      );
    }
  } finally {
    progress.done();
  }
}

/**
 * The repo's stack (as `otto docker up`), scoped: disposing takes it down when this call started
 * it, and the watchdog does if this process dies first.
 */
async function startStack(repo: Repo, signal: AbortSignal): Promise<ComposeStack> {
  // Ctrl-C stops the `up` only: the stack keeps its own signal, so its `down` still runs after.
  const up = new AbortController();
  const stop = () => up.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  const startMs = performance.now();
  try {
    const stack = await composeStack({ repo, build: false, signal: up.signal });
    const how = stack.alreadyUp
      ? 'already up'
      : `up in ${formatDurationMs(performance.now() - startMs)}`;
    console.log(`stack    ${stack.project} ${how}: ${stack.hosts.map((h) => h.id).join(', ')}`);
    return stack;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
