import { createHash, createHmac } from 'node:crypto';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import {
  entryMatchesHost,
  findHostEntries,
  fingerprintSha256,
  formatKnownHostsLine,
  hashKnownHostsName,
  keyTypeOfBlob,
  knownHostsName,
  orderHostKeyAlgorithms,
  parseKnownHosts,
  type KnownHostsEntry,
} from './known-hosts.js';

const { utils } = ssh2;

const ED25519 = utils.generateKeyPairSync('ed25519').public.split(' ')[1]!;
const ECDSA = utils.generateKeyPairSync('ecdsa', { bits: 256 }).public.split(' ')[1]!;

function entry(hosts: string): KnownHostsEntry {
  return { line: 1, hosts, keyType: 'ssh-ed25519', keyBlob: Buffer.from(ED25519, 'base64') };
}

describe('parseKnownHosts', () => {
  it('keeps usable lines with their line numbers and skips the rest', () => {
    const text = [
      '# a comment',
      '',
      `db.lab,10.0.0.5 ssh-ed25519 ${ED25519} otto@laptop`,
      `@cert-authority *.lab ssh-ed25519 ${ED25519}`,
      `@revoked * ssh-ed25519 ${ED25519}`,
      `[10.0.0.6]:2222 ecdsa-sha2-nistp256 ${ECDSA}`,
      'broken-line-with-two fields',
      `mislabelled ssh-rsa ${ED25519}`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => [e.line, e.hosts, e.keyType])).toEqual([
      [3, 'db.lab,10.0.0.5', 'ssh-ed25519'],
      [6, '[10.0.0.6]:2222', 'ecdsa-sha2-nistp256'],
    ]);
    expect(entries[0]!.keyBlob.toString('base64')).toBe(ED25519);
  });
});

describe('entryMatchesHost', () => {
  it.each([
    ['10.0.0.5', '10.0.0.5', 22, true],
    ['10.0.0.5', '10.0.0.5', 2222, false],
    ['[10.0.0.5]:2222', '10.0.0.5', 2222, true],
    ['[10.0.0.5]:2222', '10.0.0.5', 22, false],
    ['db.lab,10.0.0.5', '10.0.0.5', 22, true],
    ['*.lab', 'db.lab', 22, true],
    ['*.lab,!secret.lab', 'secret.lab', 22, false],
    ['db?.lab', 'db1.lab', 22, true],
    ['db?.lab', 'db12.lab', 22, false],
    ['10.0.0.5', '10.0.0.50', 22, false],
  ])('%s names %s port %i: %s', (hosts, host, port, expected) => {
    expect(entryMatchesHost(entry(hosts), host, port)).toBe(expected);
  });

  it('matches hashed names as ssh-keygen -H writes them', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const hashed = hashKnownHostsName('[127.0.0.1]:32771', salt);
    const hmac = createHmac('sha1', salt).update('[127.0.0.1]:32771').digest('base64');
    expect(hashed).toBe(`|1|MDEyMzQ1Njc4OWFiY2RlZmdoaWo=|${hmac}`);
    expect(entryMatchesHost(entry(hashed), '127.0.0.1', 32771)).toBe(true);
    expect(entryMatchesHost(entry(hashed), '127.0.0.1', 22)).toBe(false);
    expect(entryMatchesHost(entry('|1|broken'), '127.0.0.1', 22)).toBe(false);
  });

  it('finds every entry of a host in file order', () => {
    const entries = parseKnownHosts(
      `a ssh-ed25519 ${ED25519}\nb ssh-ed25519 ${ED25519}\na ecdsa-sha2-nistp256 ${ECDSA}\n`,
    );
    expect(findHostEntries(entries, 'a', 22).map((e) => e.line)).toEqual([1, 3]);
  });
});

describe('key helpers', () => {
  it('names hosts as known_hosts does', () => {
    expect(knownHostsName('10.0.0.5', 22)).toBe('10.0.0.5');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it('formats a line and fingerprints a key as OpenSSH does', () => {
    const blob = Buffer.from(ED25519, 'base64');
    expect(formatKnownHostsLine('h', 2222, blob)).toBe(`[h]:2222 ssh-ed25519 ${ED25519}`);
    expect(keyTypeOfBlob(blob)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(Buffer.from([0, 0, 1]))).toBe('');
    const digest = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
    expect(fingerprintSha256(blob)).toBe(`SHA256:${digest}`);
    expect(fingerprintSha256(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('puts the algorithms of known key types first', () => {
    const defaults = [
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ];
    expect(orderHostKeyAlgorithms(['ecdsa-sha2-nistp256'], defaults)).toEqual([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(orderHostKeyAlgorithms(['ssh-rsa', 'ssh-dss'], defaults)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
    ]);
    expect(orderHostKeyAlgorithms([], defaults)).toEqual(defaults);
  });
});
