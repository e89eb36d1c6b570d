import { constants, isUtf8 } from 'node:buffer';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Reading a configuration file (a lab's hosts.json, a repo's settings.toml) as UTF-8 text, so that
 * whatever is at the path ends in text or in one sentence saying why not: a FIFO, socket, device
 * or folder is refused before anything waits on it, bytes that are not UTF-8 are named by offset
 * and line instead of turning into U+FFFD, and a leading byte order mark is dropped.
 */

/** The file's text (without a leading BOM), or why there is none. */
export type ConfigFileText = { text: string } | { problem: string };

/** The most a configuration file may hold; bigger is surely not one (and would fill memory). */
const MAX_CONFIG_BYTES = constants.MAX_STRING_LENGTH;

/** Reads `file` as UTF-8 text; never throws: see {@link ConfigFileText}. */
export async function readConfigFile(file: string): Promise<ConfigFileText> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  const handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => error,
  );
  if (handle instanceof Error) return { problem: `cannot read it: ${describeFsError(handle)}` };
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      return { problem: `cannot read it: not a regular file (${kindOf(stats)})` };
    if (stats.size > MAX_CONFIG_BYTES)
      return { problem: `cannot read it: ${stats.size} bytes is too big for a configuration file` };
    return decodeConfigBytes(await handle.readFile());
  } catch (error) {
    return { problem: `cannot read it: ${describeFsError(error as NodeJS.ErrnoException)}` };
  } finally {
    await handle.close();
  }
}

/** UTF-8 bytes to text, without a leading BOM; anything else is a problem naming where it breaks. */
export function decodeConfigBytes(bytes: Uint8Array): ConfigFileText {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return {
      problem: 'is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8',
    };
  if (!isUtf8(bytes)) {
    const offset = findInvalidUtf8(bytes);
    const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
    return {
      problem: `is not UTF-8 text: byte 0x${byte} at byte offset ${offset} (line ${lineAt(bytes, offset)}) is not valid UTF-8; save the file as UTF-8`,
    };
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return { text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

/**
 * The offset of the first byte that does not belong to a well-formed UTF-8 sequence (Unicode
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or -1 when all are.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index);
    if (length === 0) return index;
    index += length;
  }
  return -1;
}

/** The length of the well-formed sequence at `index`, or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index]!;
  if (lead < 0x80) return 1;
  const range = LEAD_RANGES.find(({ leads }) => lead >= leads[0] && lead <= leads[1]);
  if (!range) return 0;
  for (let next = 1; next < range.length; next++) {
    const byte = bytes[index + next];
    const [min, max] = next === 1 ? range.second : [0x80, 0xbf];
    if (byte === undefined || byte < min || byte > max) return 0;
  }
  return range.length;
}

interface LeadRange {
  /** First and last lead byte of the range. */
  leads: readonly [number, number];
  length: number;
  /** Bounds of the second byte (the others are 0x80 to 0xBF). */
  second: readonly [number, number];
}

/** Unicode table 3-7, by lead byte. */
const LEAD_RANGES: readonly LeadRange[] = [
  { leads: [0xc2, 0xdf], length: 2, second: [0x80, 0xbf] },
  { leads: [0xe0, 0xe0], length: 3, second: [0xa0, 0xbf] },
  { leads: [0xe1, 0xec], length: 3, second: [0x80, 0xbf] },
  { leads: [0xed, 0xed], length: 3, second: [0x80, 0x9f] },
  { leads: [0xee, 0xef], length: 3, second: [0x80, 0xbf] },
  { leads: [0xf0, 0xf0], length: 4, second: [0x90, 0xbf] },
  { leads: [0xf1, 0xf3], length: 4, second: [0x80, 0xbf] },
  { leads: [0xf4, 0xf4], length: 4, second: [0x80, 0x8f] },
];

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index++) if (bytes[index] === 0x0a) line++;
  return line;
}

function kindOf(stats: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'neither a file nor a folder';
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'not a regular file (a folder)',
  ENOTDIR: 'a part of its path is not a folder',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'its name is too long',
};

/** A file system error in words, without the syscall and path Node adds to its message. */
export function describeFsError(error: NodeJS.ErrnoException): string {
  return (error.code && FS_ERRORS[error.code]) ?? error.message;
}
