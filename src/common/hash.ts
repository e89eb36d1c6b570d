import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Hex SHA-256 of strings or buffers, fed in order with a separator so parts cannot run together. */
export function hashParts(parts: ReadonlyArray<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Hex SHA-256 of a file's content, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * SHA-256 over the path, modification time and size of each file (`missing` for a file that
 * does not exist), in any order: it changes when one of the files is edited, added or removed.
 */
export async function fingerprintFiles(paths: readonly string[]): Promise<string> {
  const entries = await Promise.all([...new Set(paths)].map(describeFile));
  return hashParts(entries.sort());
}

async function describeFile(path: string): Promise<string> {
  try {
    const stats = await stat(path);
    return `${path}\t${stats.mtimeMs}\t${stats.size}`;
  } catch {
    return `${path}\tmissing`;
  }
}
