/**
 * What the engine's archive endpoints answer when they refuse, in the words of the transfer
 * contract. The engine says `Could not find the file /x in container c` (404) for a missing path,
 * `No such container: c` (404) for a missing container, `extraction point is not a directory`, `mounted volume is marked read-only` or `container rootfs is marked read-only` (403 in
 * the documentation, 500 from engine 20.10), and
 * `Error processing tar file(exit status 1): write /srv/a: no space left on device` (500) for a
 * file it could not write while extracting.
 */
import type { TransferError } from '../../errors.js';
import { pathProblemOf } from '../../transfers/transfer-problems.js';
import { describePaths, type TransferRun } from '../../transfers/transfer-run.js';
import { engineStatusOf } from '../engine/engine-client.js';

/**
 * The engine's own reason for a refusal, or the error's first line. Paths in the engine's own
 * file system (`/var/lib/docker/overlay2/<id>/merged/srv/a`) are shown as in the container.
 */
export function engineReasonOf(error: unknown): string {
  const reason = (error as { cause?: { reason?: unknown } } | undefined)?.cause?.reason;
  const text =
    typeof reason === 'string' && reason
      ? reason.trim()
      : (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  return text.replace(/\/\S*?\/merged(?=\/)/g, '');
}

/**
 * True when the engine refused because the path is missing (404, not the container's), or
 * because a file stands where a directory of the path should be (`… : not a directory`).
 */
export function isMissingPath(error: unknown): boolean {
  const status = engineStatusOf(error);
  const reason = engineReasonOf(error);
  if (status === 404) return !/no such container/i.test(reason);
  return status !== undefined && /^lstat \S+: not a directory$/.test(reason);
}

/**
 * The error of a put the engine refused or failed; `sourceOf` maps a container path the engine
 * names back to the local file that went there.
 */
export function putRefused(
  run: TransferRun,
  error: unknown,
  remoteDir: string,
  containerName: string,
  sourceOf: (containerPath: string) => string | undefined,
): TransferError {
  const status = engineStatusOf(error);
  const reason = engineReasonOf(error);
  const paths = describePaths(run.paths);
  if (status === 404 && /no such container/i.test(reason))
    return run.failed(paths, `container ${containerName} does not exist`, 'TRANSFER_FAILED', error);
  if (/extraction point is not a directory/i.test(reason)) return run.notADirectory(remoteDir);
  // 403 in the API's documentation, 500 from engine 20.10.
  if (status === 403 || /marked read-only/i.test(reason)) {
    const problem = {
      phrase: reason.replace(/\.$/, ''),
      code: 'DESTINATION_NOT_WRITABLE' as const,
      isMissing: false,
    };
    return run.failedWith(paths, `cannot write ${remoteDir}`, problem, error);
  }
  const found = pathProblemOf(
    reason.replace(/^Error processing tar file\(exit status \d+\): /, ''),
  );
  if (found) {
    const source = sourceOf(found.path) ?? paths;
    return run.failedWith(source, `cannot write ${found.path}`, found.problem, error);
  }
  return run.failed(paths, reason, 'TRANSFER_FAILED', error);
}

/** The error of a get the engine refused: a missing path or container, or its reason. */
export function getRefused(
  run: TransferRun,
  error: unknown,
  remotePath: string,
  containerName: string,
): TransferError {
  if (isMissingPath(error)) return run.sourceFailed(remotePath, { code: 'ENOENT' });
  const reason = engineReasonOf(error);
  if (engineStatusOf(error) === 404 && /no such container/i.test(reason))
    return run.failed(
      remotePath,
      `container ${containerName} does not exist`,
      'TRANSFER_FAILED',
      error,
    );
  return run.failed(remotePath, reason, 'TRANSFER_FAILED', error);
}
