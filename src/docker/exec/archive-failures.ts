import { TransferError } from '../../errors.js';
import { engineStatusOf } from '../engine/engine-client.js';
import type { StopWatch } from './stop-watch.js';

const KIND = '[docker-archive]';

const ERRNO_PHRASES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
};

/** A local path to put that does not exist. */
export function localPathMissing(localPath: string, containerName: string): TransferError {
  return new TransferError(
    'LOCAL_PATH_NOT_FOUND',
    `Cannot put ${localPath} into container ${containerName} ${KIND}: no such file or directory on this machine.`,
    { where: containerName, operation: `put ${localPath}` },
  );
}

/** A local directory to get into that does not exist (or is not a directory). */
export function localDirMissing(localDir: string, containerName: string): TransferError {
  return new TransferError(
    'LOCAL_PATH_NOT_FOUND',
    `Cannot get files from container ${containerName} into ${localDir} ${KIND}: no such directory on this machine.`,
    { where: containerName, operation: `get into ${localDir}` },
  );
}

/** A container path to get that does not exist. */
export function remotePathMissing(
  remotePath: string,
  containerName: string,
  cause: unknown,
): TransferError {
  return new TransferError(
    'REMOTE_PATH_NOT_FOUND',
    `Cannot get ${remotePath} from container ${containerName} ${KIND}: no such file or directory in the container.`,
    { where: containerName, operation: `get ${remotePath}`, cause },
  );
}

/** A put that failed; `what` names the files, `reason` says why. */
export function putFailed(
  what: string,
  remoteDir: string,
  containerName: string,
  reason: string,
  cause: unknown,
): TransferError {
  return new TransferError(
    'TRANSFER_FAILED',
    `Failed to put ${what} into ${remoteDir} in container ${containerName} ${KIND}: ${reason}.`,
    { where: containerName, operation: `put ${what} ${remoteDir}`, cause },
  );
}

/** A get that failed; nothing of it is left in `localDir`. */
export function getFailed(
  remotePath: string,
  localDir: string,
  containerName: string,
  reason: string,
  cause: unknown,
): TransferError {
  return new TransferError(
    'TRANSFER_FAILED',
    `Failed to get ${remotePath} from container ${containerName} into ${localDir} ${KIND}: ${reason}.`,
    { where: containerName, operation: `get ${remotePath} ${localDir}`, cause },
  );
}

/** Names a list of paths in a message: one as it is, several counted with the first few. */
export function describePaths(paths: readonly string[]): string {
  if (paths.length === 1) return paths[0]!;
  const shown = paths.slice(0, 3).join(', ');
  return `${paths.length} paths (${shown}${paths.length > 3 ? ', …' : ''})`;
}

/**
 * Why a transfer failed, in a few words: the deadline, the engine's reason, or a local file
 * system error (`reading` or `writing`) with the path, temporary names shown as the final ones.
 */
export function describeReason(
  error: unknown,
  stop: StopWatch,
  localAction: 'read' | 'write',
): string {
  if (stop.signal.aborted) {
    return stop.isTimeout() ? `timed out after ${stop.timeoutMs}ms` : 'aborted';
  }
  const errno = error as NodeJS.ErrnoException;
  if (errno.code && errno.path && errno.syscall) {
    const path = errno.path.replace(/\/\.([^/]+)\.otto-[0-9a-f]{8}\.part$/, '/$1');
    return `cannot ${localAction} ${path}: ${ERRNO_PHRASES[errno.code] ?? errno.code}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (engineStatusOf(error) !== undefined) return message.replace(/^.*? with HTTP \d+: /s, '');
  return message.split('\n')[0]!.replace(/\.$/, '');
}
