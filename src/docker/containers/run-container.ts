import { DockerError } from '../../errors.js';
import type { EngineClient } from '../engine/engine-client.js';
import { createFrameDemuxer } from '../engine/frame-demuxer.js';
import { ownershipLabels } from '../labels.js';

/** Options of {@link runContainer}. */
export interface RunContainerOptions {
  image: string;
  /** argv of the command; no shell is added. */
  cmd: string[];
  /** Replaces the image's entrypoint; `[]` clears it. @default the image's own */
  entrypoint?: string[];
  env?: Record<string, string>;
  /** Why the container exists, recorded in its `otto.purpose` label. @default 'run-container' */
  purpose?: string;
  /** Give up (and remove the container) after this long. @default 120000 */
  timeoutMs?: number;
}

/** Outcome of a container that ran to completion. */
export interface ContainerRunResult {
  containerId: string;
  exitCode: number;
  stdout: string;
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
  const created = await engine.json<{ Id: string }>({
    method: 'POST',
    path: '/containers/create',
    body: {
      Image: options.image,
      Cmd: options.cmd,
      ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}),
      Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
      Labels: ownershipLabels(options.purpose ?? 'run-container'),
      HostConfig: { NetworkMode: 'none' },
    },
    okStatus: [201],
  });
  const id = created.Id;
  try {
    await engine.json({ method: 'POST', path: `/containers/${id}/start`, okStatus: [204] });
    const signal = AbortSignal.timeout(options.timeoutMs ?? 120_000);
    const waited = await engine.json<{ StatusCode: number }>({
      method: 'POST',
      path: `/containers/${id}/wait`,
      signal,
    });
    const output = await readLogs(engine, id);
    return { containerId: id, exitCode: waited.StatusCode, ...output };
  } catch (error) {
    if (error instanceof DockerError) throw error;
    throw new DockerError(
      'CONTAINER_RUN_FAILED',
      `Running \`${options.cmd.join(' ')}\` in a container of ${options.image} failed: ${(error as Error).message}`,
      { where: engine.endpoint.url, cause: error },
    );
  } finally {
    await engine
      .json({
        method: 'DELETE',
        path: `/containers/${id}`,
        query: { force: true, v: true },
        okStatus: [204, 404],
      })
      .catch(() => undefined);
  }
}

/** Reads a stopped container's whole log, split into stdout and stderr (8-byte frame headers). */
async function readLogs(
  engine: EngineClient,
  id: string,
): Promise<{ stdout: string; stderr: string }> {
  const response = await engine.stream({
    method: 'GET',
    path: `/containers/${id}/logs`,
    query: { stdout: true, stderr: true },
  });
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const demux = createFrameDemuxer((stream, payload) => chunks[stream].push(Buffer.from(payload)));
  for await (const chunk of response) demux(chunk as Buffer);
  return {
    stdout: Buffer.concat(chunks.stdout).toString('utf8'),
    stderr: Buffer.concat(chunks.stderr).toString('utf8'),
  };
}
