import type { TransferErrorCode } from '../errors.js';

/** Why a file could not be read or written, in the words every transfer uses. */
export interface Problem {
  /** Lower case, no final period: `no space left on device`. */
  phrase: string;
  /** The transfer error code this problem gives. */
  code: TransferErrorCode;
  /** True when the path does not exist. */
  isMissing: boolean;
}

interface KnownProblem {
  errno: string;
  phrase: string;
  code: TransferErrorCode;
}

const KNOWN: readonly KnownProblem[] = [
  { errno: 'ENOENT', phrase: 'no such file or directory', code: 'TRANSFER_FAILED' },
  { errno: 'EACCES', phrase: 'permission denied', code: 'DESTINATION_NOT_WRITABLE' },
  { errno: 'EPERM', phrase: 'operation not permitted', code: 'DESTINATION_NOT_WRITABLE' },
  { errno: 'EROFS', phrase: 'read-only file system', code: 'DESTINATION_NOT_WRITABLE' },
  { errno: 'ENOSPC', phrase: 'no space left on device', code: 'DESTINATION_FULL' },
  { errno: 'EDQUOT', phrase: 'disk quota exceeded', code: 'DESTINATION_FULL' },
  { errno: 'EFBIG', phrase: 'file too large', code: 'DESTINATION_FULL' },
  { errno: 'ENOTDIR', phrase: 'not a directory', code: 'TRANSFER_FAILED' },
  { errno: 'EISDIR', phrase: 'is a directory', code: 'TRANSFER_FAILED' },
  { errno: 'EEXIST', phrase: 'file exists', code: 'TRANSFER_FAILED' },
  { errno: 'ENAMETOOLONG', phrase: 'file name too long', code: 'TRANSFER_FAILED' },
];

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that name a problem. */
const SFTP_STATUS: Record<number, string> = { 2: 'ENOENT', 3: 'EACCES' };

/**
 * The problem an error stands for: a Node errno (`ENOSPC`), an SFTP status (2, 3), or a message
 * from the other side (`scp: /srv/a: No space left on device`, the engine's
 * `write /srv/a: no space left on device`). Unknown errors keep their own first line.
 */
export function problemOf(error: unknown): Problem {
  const known = knownProblemOf(error);
  if (known) return toProblem(known);
  const message = error instanceof Error ? error.message : String(error);
  const phrase = message.split('\n')[0]!.replace(/\.$/, '');
  return { phrase, code: 'TRANSFER_FAILED', isMissing: false };
}

/** A problem named by its errno: `problemNamed('ENOSPC')`. */
export function problemNamed(errno: string): Problem {
  const known = KNOWN.find((candidate) => candidate.errno === errno);
  return known
    ? toProblem(known)
    : { phrase: errno.toLowerCase(), code: 'TRANSFER_FAILED', isMissing: false };
}

/**
 * The path and problem of a message such as `scp: /srv/.a.otto-part-1a2b3c4d: Permission denied`
 * or `write /srv/a: no space left on device`; undefined when it names no known problem.
 */
export function pathProblemOf(message: string): { path: string; problem: Problem } | undefined {
  const line = message.split('\n')[0]!.replace(/^scp: /, '');
  for (const known of KNOWN) {
    const suffix = `: ${known.phrase}`;
    const at = line.toLowerCase().lastIndexOf(suffix);
    if (at <= 0 || at + suffix.length !== line.replace(/\.$/, '').length) continue;
    const path = line
      .slice(0, at)
      .replace(/^.*\b(?:open|write|mkdir|lstat|stat|rename) (?=\/)/, '');
    return { path: finalPathOf(path), problem: toProblem(known) };
  }
  return undefined;
}

/** A temporary name (`dir/.name.otto-part-1a2b3c4d`) shown as the file it stands for. */
export function finalPathOf(path: string): string {
  return path.replace(/(^|\/)\.([^/]+)\.otto-part-[0-9a-f]{8}$/, '$1$2');
}

function knownProblemOf(error: unknown): KnownProblem | undefined {
  const { code } = (error ?? {}) as { code?: unknown };
  const errno = typeof code === 'number' ? SFTP_STATUS[code] : code;
  const byCode = KNOWN.find((known) => known.errno === errno);
  if (byCode) return byCode;
  const message = (error instanceof Error ? error.message : String(error)).toLowerCase();
  return KNOWN.find((known) => message.split('\n')[0]!.endsWith(known.phrase));
}

function toProblem(known: KnownProblem): Problem {
  return { phrase: known.phrase, code: known.code, isMissing: known.errno === 'ENOENT' };
}
