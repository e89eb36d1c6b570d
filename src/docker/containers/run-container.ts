import { DockerError } from '../../errors.js';
import type { EngineClient } from '../engine/engine-client.js';
import { StartedContainer } from './started-container.js';

/** Options of {@link runContainer}. */
export interface RunContainerOptions {
  /** Image reference or id; it must be in the engine (no pull). */
  image: string;
  /** argv of the command; no shell is added. */
  cmd: string[];
  /** Replaces the image's entrypoint; `[]` clears it. @default the image's own */
  entrypoint?: string[];
  /** Environment variables besides the image's, by name. */
  env?: Record<string, string>;
  /** Why the container exists, recorded in its `otto.purpose` label. @default 'run-container' */
  purpose?: string;
  /** Give up (and remove the container) after this long. @default 120000 */
  timeoutMs?: number;
}

/** Outcome of a container that ran to completion. */
export interface ContainerRunResult {
  /** Id of the container, already removed. */
  containerId: string;
  /** Exit code of the command. */
  exitCode: number;
  /** Everything the command wrote to stdout, as UTF-8. */
  stdout: string;
  /** Everything the command wrote to stderr, as UTF-8. */
  stderr: string;
}

/**
 * Runs a command in a new container to completion through the Engine API (create, start, wait,
 * logs, remove) and returns its exit code and output. The container carries ownership labels and
 * is removed whatever happens.
 * @example const { stdout } = await runContainer(engine, { image: 'otto/busybox', cmd: ['id'] });
 */
export async function runContainer(
  engine: EngineClient,
  options: RunContainerOptions,
): Promise<ContainerRunResult> {
  const container = await StartedContainer.start(engine, {
    image: options.image,
    cmd: options.cmd,
    entrypoint: options.entrypoint,
    env: options.env,
    purpose: options.purpose ?? 'run-container',
    network: 'none',
  });
  try {
    const exitCode = await container.wait(options.timeoutMs ?? 120_000);
    const { stdout, stderr } = await container.output();
    return { containerId: container.id, exitCode, stdout, stderr };
  } catch (error) {
    if (error instanceof DockerError) throw error;
    throw new DockerError(
      'CONTAINER_RUN_FAILED',
      `Running \`${options.cmd.join(' ')}\` in a container of ${options.image} failed: ${(error as Error).message}`,
      {
        transport: engine.endpoint.url,
        cause: error,
      },
    );
  } finally {
    await container.stop().catch(() => undefined);
  }
}
