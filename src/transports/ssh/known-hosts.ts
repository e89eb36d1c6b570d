/**
 * OpenSSH known_hosts files. Each line is `hosts keytype base64-key [comment]`, where `hosts` is
 * a comma list of names (`host` for port 22, `[host]:port` otherwise, `*`/`?` wildcards, `!`
 * negations) or one hashed name `|1|base64-salt|base64-hmac-sha1(salt, name)`. Lines starting
 * with a marker (`@cert-authority`, `@revoked`) describe certificates and revocations, which we
 * do not use; they are skipped, as are blank lines, comments and lines that do not parse.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDirs } from '../../common/make-dirs.js';

/** One usable line of a known_hosts file. */
export interface KnownHostsEntry {
  /** 1-based line number, for messages ("remove line 3"). */
  line: number;
  /** The host field as written: patterns, or one hashed name. */
  hosts: string;
  keyType: string;
  /** The key in the SSH wire format. */
  keyBlob: Buffer;
}

/** Parses a known_hosts file's text; lines that do not apply or do not parse are skipped. */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#') || fields[0]!.startsWith('@')) return;
    const [hosts, keyType, keyBase64] = fields as [string, string, string];
    const keyBlob = Buffer.from(keyBase64, 'base64');
    if (keyBlob.length === 0 || keyTypeOfBlob(keyBlob) !== keyType) return;
    entries.push({ line: index + 1, hosts, keyType, keyBlob });
  });
  return entries;
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** True when an entry's host field names `host:port` (plain, wildcard or hashed). */
export function entryMatchesHost(entry: KnownHostsEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hosts.startsWith('|1|')) return hashedNameMatches(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** The entries that name `host:port`, in file order. */
export function findHostEntries(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
): KnownHostsEntry[] {
  return entries.filter((entry) => entryMatchesHost(entry, host, port));
}

/** A hashed host name, `|1|salt|hash`, as `ssh-keygen -H` writes it. */
export function hashKnownHostsName(name: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${hash}`;
}

/** A known_hosts line for a host key: `[host]:port ssh-ed25519 AAAA…`. */
export function formatKnownHostsLine(host: string, port: number, keyBlob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyTypeOfBlob(keyBlob)} ${keyBlob.toString('base64')}`;
}

/** OpenSSH's fingerprint of a key: `SHA256:` and the unpadded base64 of its SHA-256. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a wire-format key starts with (`ssh-ed25519`), or '' when it is malformed. */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return '';
  const length = keyBlob.readUInt32BE(0);
  if (length > keyBlob.length - 4 || length > 64) return '';
  return keyBlob.toString('latin1', 4, 4 + length);
}

/**
 * Orders the host key algorithms so the ones of keys already known for a host come first: a
 * server with several keys then offers the known one, instead of another that would look like a
 * changed key. `ssh-rsa` keys are signed with the rsa-sha2 algorithms too.
 */
export function orderHostKeyAlgorithms(
  knownKeyTypes: readonly string[],
  defaults: readonly string[],
): string[] {
  const preferred = knownKeyTypes.flatMap((type) =>
    type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type],
  );
  return [...new Set([...preferred.filter((name) => defaults.includes(name)), ...defaults])];
}

/** Reads and parses a known_hosts file; a missing file has no entries. */
export async function readKnownHostsFile(path: string): Promise<KnownHostsEntry[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Appends a line to a known_hosts file, creating it (and its folder, mode 700) when missing. */
export async function appendKnownHostsLine(path: string, line: string): Promise<void> {
  await makeDirs(dirname(path), 0o700);
  let existing = '';
  try {
    existing = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(path, `${separator}${line}\n`, { mode: 0o600 });
}

function hashedNameMatches(field: string, name: string): boolean {
  const [, , saltBase64, hashBase64] = field.split('|');
  if (!saltBase64 || !hashBase64) return false;
  const salt = Buffer.from(saltBase64, 'base64');
  return createHmac('sha1', salt).update(name).digest().equals(Buffer.from(hashBase64, 'base64'));
}

function globMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(name);
}
