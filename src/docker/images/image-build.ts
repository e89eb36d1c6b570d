import type { Readable } from 'node:stream';
import { AbortedError, ImageBuildError } from '../../errors.js';
import { engineStatusOf, type ByteSource, type EngineClient } from '../engine/engine-client.js';
import { messageError, readEngineMessages } from '../engine/json-messages.js';
import type { ProgressListener } from '../../common/progress.js';
import { BuildStepTracker, lineOfStep } from './build-steps.js';

/** Options of {@link buildImage}. */
export interface BuildImageOptions {
  /** What is being built, for progress and error messages, e.g. `otto-test/sshd:latest`. */
  subject: string;
  /** Path of the Dockerfile inside the build context. @default 'Dockerfile' */
  dockerfile?: string;
  /** Values of the Dockerfile's `ARG`s, by name. @default none */
  buildArgs?: Record<string, string>;
  /** Build stage to stop at (`FROM … AS <target>`). @default the last stage */
  target?: string;
  /** Labels given to the built image. @default none */
  labels?: Record<string, string>;
  /**
   * The Dockerfile's text and the path to name it by, so that a failed step gives its line,
   * e.g. `{ text, path: 'docker/app/Dockerfile' }`. @default no line numbers
   */
  source?: { text: string; path: string };
  /**
   * Receives a `build` event as each step starts (`Step 3/7 : RUN make`, with done and total)
   * and an `output` event for each line a step prints. @default none
   */
  onProgress?: ProgressListener;
  /** Aborts the build request; the engine then stops the build. */
  signal?: AbortSignal;
}

/**
 * Builds an image from a tar build context through the engine's build endpoint and returns its id.
 * The build is untagged. A failed step is an `ImageBuildError` `BUILD_STEP_FAILED` whose first
 * line names the step (and its Dockerfile line when `source` is given) and the engine's reason,
 * followed by the last lines the step printed.
 * @example
 * const id = await buildImage(engine, contextTar, { subject: 'demo-app', target: 'runtime' });
 */
export async function buildImage(
  engine: EngineClient,
  contextTar: ByteSource,
  options: BuildImageOptions,
): Promise<string> {
  const response = await requestBuild(engine, contextTar, options);
  const { subject, onProgress } = options;
  const steps = new BuildStepTracker(
    (step) =>
      onProgress?.({
        subject,
        phase: 'build',
        message: `Step ${step.number}/${step.total} : ${step.instruction}`,
        done: step.number,
        total: step.total,
      }),
    (line) => onProgress?.({ subject, phase: 'output', message: line }),
  );
  let imageId: string | undefined;
  for await (const message of readEngineMessages(response)) {
    const failure = messageError(message);
    if (failure) {
      steps.flush();
      throw stepFailure(options, failure, steps);
    }
    if (message.aux?.ID) imageId = message.aux.ID;
    if (message.stream) steps.push(message.stream);
  }
  steps.flush();
  if (!imageId)
    throw new ImageBuildError('IMAGE_BUILD_FAILED', `Building ${subject} returned no image id.`, {
      operation: 'build',
    });
  return imageId;
}

/** Opens the build request; a refused one (a bad option, a bad context) names what was built. */
async function requestBuild(
  engine: EngineClient,
  contextTar: ByteSource,
  options: BuildImageOptions,
): Promise<Readable> {
  try {
    return await engine.stream({
      method: 'POST',
      path: '/build',
      query: {
        dockerfile: options.dockerfile ?? 'Dockerfile',
        buildargs: JSON.stringify(options.buildArgs ?? {}),
        labels: JSON.stringify(options.labels ?? {}),
        target: options.target,
        rm: true,
        forcerm: true,
        pull: false,
      },
      input: contextTar,
      signal: options.signal,
    });
  } catch (error) {
    const status = engineStatusOf(error);
    if (status === undefined || status >= 500) throw error;
    const reason = (error as { cause?: { reason?: string } }).cause?.reason ?? String(error);
    throw new ImageBuildError(
      'IMAGE_BUILD_FAILED',
      `Building ${options.subject} failed: the engine at ${engine.endpoint.url} refused the build: ${reason}`,
      { operation: 'build', transport: engine.endpoint.url, cause: error },
    );
  }
}

function stepFailure(
  options: BuildImageOptions,
  failure: string,
  steps: BuildStepTracker,
): ImageBuildError {
  const step = steps.current;
  const reason = failure.trim();
  if (!step)
    return new ImageBuildError(
      'IMAGE_BUILD_FAILED',
      `Building ${options.subject} failed: ${reason}`,
      {
        operation: 'build',
      },
    );
  const line = options.source ? lineOfStep(options.source.text, step) : undefined;
  const where = line === undefined ? '' : `, ${options.source!.path} line ${line}`;
  return new ImageBuildError(
    'BUILD_STEP_FAILED',
    `Building ${options.subject} failed at step ${step.number}/${step.total} (${step.instruction}${where}): ${reason}`,
    {
      operation: `Step ${step.number}/${step.total} : ${step.instruction}`,
      outputTail: steps.outputTail() || undefined,
    },
  );
}

/** The error of a build stopped by its caller's signal: the engine stops it, nothing is tagged. */
export function buildAborted(
  engine: EngineClient,
  subject: string,
  signal: AbortSignal,
): AbortedError {
  return new AbortedError(
    `Aborted building ${subject} on the engine at ${engine.endpoint.url}: the engine stops the build, nothing was tagged.`,
    { transport: engine.endpoint.url, operation: 'build', cause: signal.reason },
  );
}
