import { ConnectionError, type ErrorDetails } from '../../errors.js';
import {
  appendKnownHostsLine,
  findHostEntries,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownHostsName,
  orderHostKeyAlgorithms,
  readKnownHostsFile,
  type KnownHostsEntry,
} from './known-hosts.js';
import type { ResolvedSshTarget } from './ssh-target.js';

/** ssh2's host key algorithms, strongest first (ssh2 1.17 defaults). */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** How messages name a link: its label (`host "db-1" (…) [ssh]`, `hop … on the way to …`) and error fields. */
export interface LinkNames {
  label: string;
  details: ErrorDetails;
}

/** The host key decision for one connection, prepared before it opens. */
export interface HostKeyCheck {
  /** Host key algorithms to offer, those of already known keys first. */
  algorithms: string[];
  /** Decides on the key the server offered; records a new one under 'accept-new'. */
  verify(keyBlob: Buffer): Promise<boolean>;
  /** Why the key was refused, once `verify` said no. */
  refusal?: ConnectionError;
}

/**
 * Reads what known_hosts says about a target and prepares the check of its host key. `names`
 * say how its messages name the link.
 */
export async function prepareHostKeyCheck(
  target: ResolvedSshTarget,
  names: LinkNames,
): Promise<HostKeyCheck> {
  if (target.hostKeyPolicy === 'off') {
    return { algorithms: DEFAULT_HOST_KEY_ALGORITHMS, verify: () => Promise.resolve(true) };
  }
  const known = findHostEntries(
    await readKnownHostsFile(target.knownHostsPath),
    target.host,
    target.port,
  );
  const check: HostKeyCheck = {
    algorithms: orderHostKeyAlgorithms(
      known.map((entry) => entry.keyType),
      DEFAULT_HOST_KEY_ALGORITHMS,
    ),
    verify: async (keyBlob) => {
      check.refusal = await judgeHostKey(target, names, known, keyBlob);
      return check.refusal === undefined;
    },
  };
  return check;
}

async function judgeHostKey(
  target: ResolvedSshTarget,
  names: LinkNames,
  known: readonly KnownHostsEntry[],
  keyBlob: Buffer,
): Promise<ConnectionError | undefined> {
  if (known.some((entry) => entry.keyBlob.equals(keyBlob))) return undefined;
  if (known.length > 0) return mismatchError(target, names, known, keyBlob);
  if (target.hostKeyPolicy === 'strict') return unknownHostError(target, names, keyBlob);
  await appendKnownHostsLine(
    target.knownHostsPath,
    formatKnownHostsLine(target.host, target.port, keyBlob),
  );
  return undefined;
}

function mismatchError(
  target: ResolvedSshTarget,
  { label, details }: LinkNames,
  known: readonly KnownHostsEntry[],
  keyBlob: Buffer,
): ConnectionError {
  const offeredType = keyTypeOfBlob(keyBlob);
  const entry = known.find((candidate) => candidate.keyType === offeredType) ?? known[0]!;
  const file = target.knownHostsPath;
  return new ConnectionError(
    'HOST_KEY_MISMATCH',
    `Refused the host key of ${label}: it offered ${offeredType} ${fingerprintSha256(keyBlob)}, ` +
      `but ${file}:${entry.line} records ${entry.keyType} ${fingerprintSha256(entry.keyBlob)}; ` +
      'the host was re-keyed or someone is in the middle.',
    {
      ...details,
      operation: 'host key verification',
      fix:
        `if the new key is expected, remove line ${entry.line} of ${file} ` +
        `(ssh-keygen -R "${knownHostsName(target.host, target.port)}" -f ${file}) and connect again.`,
    },
  );
}

function unknownHostError(
  target: ResolvedSshTarget,
  { label, details }: LinkNames,
  keyBlob: Buffer,
): ConnectionError {
  return new ConnectionError(
    'HOST_KEY_UNKNOWN',
    `Refused the host key of ${label}: the host is not in ${target.knownHostsPath} ` +
      `(it offered ${keyTypeOfBlob(keyBlob)} ${fingerprintSha256(keyBlob)}) and the policy is 'strict'.`,
    {
      ...details,
      operation: 'host key verification',
      fix:
        `check the fingerprint, then add the key (ssh-keyscan -p ${target.port} ${target.host} >> ${target.knownHostsPath}) ` +
        `or connect once with hostKeyPolicy 'accept-new'.`,
    },
  );
}
