/**
 * Files to and from a container through the engine's archive endpoints, by the rules of the
 * transfer contract (transfers/transfer.ts). A put is ONE streamed `PUT /containers/{id}/archive`
 * (archive-put.ts); a HEAD per file would cost 1.4 ms each against 56 ms for a small put, and
 * find nothing the engine's 200 does not already say. It is extracted in place by the engine, the
 * contract's one exception: a failed put removes every entry it may have reached. A get is ONE
 * `GET /containers/{id}/archive?path=<path>` per path (404: no such path), extracted here by
 * archive-extract.ts under temporary names that land together at the end.
 */
import { lstat } from 'node:fs/promises';
import { addAbortSignal } from 'node:stream';
import { posix } from 'node:path';
import type { Place } from '../../common/place.js';
import { landLocally, type LocalLanding } from '../../transfers/local-landing.js';
import {
  describePaths,
  startTransfer,
  type TransferDirection,
  type TransferRun,
} from '../../transfers/transfer-run.js';
import type { Transfer, TransferOptions, TransferResult } from '../../transfers/transfer.js';
import { engineStatusOf, type EngineClient } from '../engine/engine-client.js';
import { inspectContainer } from '../containers/started-container.js';
import { extractArchive, type ExtractedFile } from './archive-extract.js';
import { engineReasonOf, getRefused, putRefused } from './archive-failures.js';
import { decodePathStat } from './archive-path-stat.js';
import { normalizeRemotePath, remoteParent } from './archive-paths.js';
import { landedAt, putArchive, splitMissing, type PutTarget } from './archive-put.js';

/** Options of a {@link DockerArchiveTransfer}. */
export interface DockerArchiveTransferOptions {
  /** Id of the host it serves, for messages. @default the container's name */
  hostId?: string;
  /** The container's name, for messages. @default read from the engine on first use */
  containerName?: string;
}

/**
 * Moves files to and from one container with the engine's archive API: no docker CLI, no helper
 * image, no staging copies, nothing needed in the container (but `sh` to clean up a failed put).
 * @example
 * const transfer = new DockerArchiveTransfer(engine, container.id);
 * await transfer.put(['./app', './config.toml'], '/opt');
 * await transfer.get(['/var/log/app.log'], './logs');
 */
export class DockerArchiveTransfer implements Transfer {
  readonly kind = 'docker-archive' as const;
  private name: string | undefined;
  private id: string | undefined;

  constructor(
    readonly engine: EngineClient,
    readonly containerId: string,
    private readonly options: DockerArchiveTransferOptions = {},
  ) {
    this.name = options.containerName;
  }

  /** The host, `container <name> (<id12>) at <endpoint>` and `[docker-archive]`, for messages. */
  get place(): Place {
    const name = this.name ?? shortReference(this.containerId);
    const shown = this.id && this.id !== this.name ? `${name} (${this.id.slice(0, 12)})` : name;
    return {
      host: this.options.hostId ?? name,
      kind: this.kind,
      transport: `container ${shown} at ${this.engine.endpoint.url}`,
    };
  }

  /** Copies local files and directories into `remoteDir` (made when missing) in one request. */
  async put(
    localPaths: readonly string[],
    remoteDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = await this.start('put', localPaths, remoteDir, options);
    for (const localPath of localPaths) {
      await lstat(localPath).catch((error: unknown) => {
        throw run.sourceFailed(localPath, error);
      });
    }
    const dir = normalizeRemotePath(remoteDir);
    let target: PutTarget = {
      engine: this.engine,
      containerId: this.containerId,
      dir,
      prefixDirs: [],
    };
    let outcome = await putArchive(run, target, localPaths, options);
    if (outcome.kind === 'missing-dir') {
      const existing = await this.deepestDirectory(run, dir);
      target = { ...target, dir: existing, prefixDirs: splitMissing(dir, existing) };
      outcome = await putArchive(run, target, localPaths, options);
    }
    if (outcome.kind === 'done') return run.result(outcome.files);
    if (run.isStopped) throw run.stopError();
    // Some engines (podman) refuse a file in the way with a message of their own: name the file.
    if (outcome.kind === 'failed' && /not a directory/i.test(engineReasonOf(outcome.error)))
      await this.deepestDirectory(run, dir);
    if (outcome.kind === 'missing-dir')
      throw run.createFailed(dir, new Error('the engine cannot find it'));
    const { error, files } = outcome;
    if (engineStatusOf(error) === undefined) throw this.localFailure(run, error);
    const sourceOf = (path: string): string | undefined =>
      files.find((file) => landedAt(target, file.entryName) === path)?.source;
    throw putRefused(run, error, remoteDir, this.name ?? this.containerId, sourceOf);
  }

  /** Copies container files and directories into `localDir` (made when missing), one request per path. */
  async get(
    remotePaths: readonly string[],
    localDir: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    using run = await this.start('get', remotePaths, localDir, options);
    return await landLocally(run, localDir, async (landing) => {
      const files: ExtractedFile[] = [];
      for (const remotePath of remotePaths)
        files.push(...(await this.getOne(run, landing, remotePath, localDir, options)));
      return files;
    });
  }

  private async getOne(
    run: TransferRun,
    landing: LocalLanding,
    remotePath: string,
    localDir: string,
    options: TransferOptions,
  ): Promise<ExtractedFile[]> {
    const path = normalizeRemotePath(remotePath);
    const response = await this.engine
      .stream({
        method: 'GET',
        path: `/containers/${encodeURIComponent(this.containerId)}/archive`,
        query: { path },
        okStatus: [200],
        signal: run.signal,
      })
      .catch((error: unknown) => {
        throw run.isStopped
          ? run.stopError()
          : getRefused(run, error, path, this.name ?? this.containerId);
      });
    addAbortSignal(run.signal, response);
    try {
      return await extractArchive(response, {
        localDir,
        remoteDir: remoteParent(path),
        landing,
        run,
        onProgress: options.onProgress,
      });
    } finally {
      response.destroy();
    }
  }

  /** Starts a run; the container's name is read first, for its messages. */
  private async start(
    direction: TransferDirection,
    paths: readonly string[],
    destDir: string,
    options: TransferOptions,
  ): Promise<TransferRun> {
    if (!options.signal?.aborted && this.name === undefined) {
      const state = await inspectContainer(this.engine, this.containerId).catch(() => undefined);
      this.name = state?.name;
      this.id = state?.id;
    }
    return startTransfer(this.place, direction, paths, destDir, options);
  }

  /** The deepest directory of `path` that exists in the container (HEAD requests, upwards). */
  private async deepestDirectory(run: TransferRun, path: string): Promise<string> {
    for (let dir = path; ; dir = posix.dirname(dir)) {
      const kind = await this.kindOf(run, dir);
      if (kind === 'directory' || kind === 'symlink') return dir;
      if (kind !== undefined) throw run.notADirectory(dir);
      if (dir === '/')
        throw run.createFailed(path, new Error('the container has no root directory'));
    }
  }

  private async kindOf(run: TransferRun, path: string): Promise<string | undefined> {
    try {
      const response = await this.engine.stream({
        method: 'HEAD',
        path: `/containers/${encodeURIComponent(this.containerId)}/archive`,
        query: { path },
        okStatus: [200],
        signal: run.signal,
      });
      response.resume();
      return decodePathStat(response.headers['x-docker-container-path-stat'])?.kind ?? 'other';
    } catch (error) {
      if (run.isStopped) throw run.stopError();
      // A HEAD has no body for the reason: 404 says missing, 500 a file on the way (ENOTDIR).
      if (engineStatusOf(error) === 404 || engineStatusOf(error) === 500) return undefined;
      throw run.createFailed(path, error);
    }
  }

  /** A failure on this machine while packing: a source that could not be read, or a broken request. */
  private localFailure(run: TransferRun, error: unknown) {
    const errno = error as NodeJS.ErrnoException;
    if (errno.syscall) return run.sourceFailed(errno.path ?? describePaths(run.paths), error);
    return run.toError(error);
  }
}

function shortReference(reference: string): string {
  return /^[0-9a-f]{64}$/.test(reference) ? reference.slice(0, 12) : reference;
}
