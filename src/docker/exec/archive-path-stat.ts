/**
 * The engine describes the path of an archive request in the `X-Docker-Container-Path-Stat`
 * header of `GET` and `HEAD /containers/{id}/archive`: base64 of a JSON object `{ name, size,
 * mode, mtime, linkTarget }`, where `mode` is a Go `os.FileMode`: permission bits in the low nine
 * bits, the file type and the setuid, setgid and sticky bits in high bits of their own.
 */

/** What the engine says about a path in a container. */
export interface ContainerPathStat {
  name: string;
  kind: 'file' | 'directory' | 'symlink' | 'other';
  sizeBytes: number;
  /** Unix permission bits, with setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number;
  mtime: string;
  /** Target of a symbolic link; empty otherwise. */
  linkTarget: string;
}

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
/** Device, named pipe, socket, character device, irregular. */
const GO_MODE_OTHER = [2 ** 26, 2 ** 25, 2 ** 24, 2 ** 21, 2 ** 19];
const GO_SPECIAL_BITS: Array<[number, number]> = [
  [2 ** 23, 0o4000],
  [2 ** 22, 0o2000],
  [2 ** 20, 0o1000],
];

/**
 * Decodes the path-stat header; undefined when it is missing or not what the engine sends.
 * @example decodePathStat(response.headers['x-docker-container-path-stat'])?.kind // 'directory'
 */
export function decodePathStat(
  header: string | string[] | undefined,
): ContainerPathStat | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  let raw: {
    name?: unknown;
    size?: unknown;
    mode?: unknown;
    mtime?: unknown;
    linkTarget?: unknown;
  };
  try {
    raw = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as typeof raw;
  } catch {
    return undefined;
  }
  if (typeof raw.name !== 'string' || typeof raw.mode !== 'number') return undefined;
  return {
    name: raw.name,
    kind: kindOf(raw.mode),
    sizeBytes: typeof raw.size === 'number' ? raw.size : 0,
    mode: unixMode(raw.mode),
    mtime: typeof raw.mtime === 'string' ? raw.mtime : '',
    linkTarget: typeof raw.linkTarget === 'string' ? raw.linkTarget : '',
  };
}

function hasBit(goMode: number, bit: number): boolean {
  return Math.floor(goMode / bit) % 2 === 1;
}

function kindOf(goMode: number): ContainerPathStat['kind'] {
  if (hasBit(goMode, GO_MODE_DIR)) return 'directory';
  if (hasBit(goMode, GO_MODE_SYMLINK)) return 'symlink';
  return GO_MODE_OTHER.some((bit) => hasBit(goMode, bit)) ? 'other' : 'file';
}

function unixMode(goMode: number): number {
  let mode = goMode % 0o1000;
  for (const [goBit, unixBit] of GO_SPECIAL_BITS) if (hasBit(goMode, goBit)) mode += unixBit;
  return mode;
}
