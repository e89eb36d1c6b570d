import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeChain, listLinks, normalizeSshTarget, type SshTarget } from './ssh-target.js';

describe('normalizeSshTarget', () => {
  it('fills every default', () => {
    expect(normalizeSshTarget({ host: 'db.lab', username: 'otto', password: 'pw' })).toEqual({
      host: 'db.lab',
      port: 22,
      username: 'otto',
      password: 'pw',
      hostKeyPolicy: 'accept-new',
      knownHostsPath: `${homedir()}/.ssh/known_hosts`,
      connectTimeoutMs: 10_000,
      keepaliveIntervalMs: 15_000,
      keepaliveCountMax: 3,
      maxChannels: 8,
    });
  });

  it('expands ~/ in paths and resolves hops recursively', () => {
    const target = normalizeSshTarget({
      host: '10.0.0.5',
      username: 'otto',
      privateKeyPath: '~/.ssh/id_ed25519',
      hop: {
        host: '127.0.0.1',
        port: 2222,
        username: 'root',
        password: 'root',
        hostKeyPolicy: 'strict',
      },
    });
    expect(target.privateKeyPath).toBe(`${homedir()}/.ssh/id_ed25519`);
    expect(target.hop).toMatchObject({
      host: '127.0.0.1',
      port: 2222,
      hostKeyPolicy: 'strict',
      maxChannels: 8,
    });
    expect(describeChain(target)).toBe('otto@10.0.0.5:22 via root@127.0.0.1:2222');
    expect(listLinks(target).map((link) => link.host)).toEqual(['127.0.0.1', '10.0.0.5']);
  });

  it('uses SSH_AUTH_SOCK only when useAgent is set', () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = '/tmp/agent.sock';
    try {
      expect(normalizeSshTarget({ host: 'h', username: 'u', useAgent: true }).agent).toBe(
        '/tmp/agent.sock',
      );
      expect(normalizeSshTarget({ host: 'h', username: 'u', password: 'p' }).agent).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });

  it('lists every problem at once, hops included', () => {
    const target = {
      host: '',
      port: 0,
      username: 'otto',
      privateKey: 'k',
      privateKeyPath: '/k',
      hostKeyPolicy: 'yes',
      maxChannels: 2.5,
      name: 'db-1',
      hop: { host: 'jump', username: 'root', connectTimeoutMs: '10s' },
    } as unknown as SshTarget;
    expect(() => normalizeSshTarget(target)).toThrow(
      [
        'Invalid SSH target "db-1" (otto@:0): 6 problems.',
        '  - host: expected a non-empty string, got "" (string)',
        '  - port: expected an integer from 1 to 65535, got 0 (number)',
        "  - hostKeyPolicy: expected one of 'accept-new', 'strict', 'off', got \"yes\" (string)",
        '  - maxChannels: expected an integer from 1 to 1000, got 2.5 (number)',
        '  - privateKey, privateKeyPath: give one of them, not both',
        '  - hop.connectTimeoutMs: expected an integer from 1 to 86400000, got "10s" (string)',
        '  - hop.credentials: none given; set password, privateKey, privateKeyPath or agent',
      ]
        .join('\n')
        .replace('6 problems', '7 problems'),
    );
  });

  it('refuses a hop chain that goes round in a cycle, naming it', () => {
    const a: SshTarget = { host: 'a', username: 'otto', password: 'p' };
    const b: SshTarget = { host: 'b', username: 'root', password: 'p', hop: a };
    a.hop = b;
    const error = (() => {
      try {
        normalizeSshTarget({ host: 't', username: 'otto', password: 'p', hop: a });
      } catch (caught) {
        return caught as Error & { code: string };
      }
    })();
    expect(error?.code).toBe('HOP_CYCLE');
    expect(error?.message).toBe(
      'Invalid SSH hop chain for otto@t:22: it goes round in a cycle, otto@a:22 -> root@b:22 -> otto@a:22.\n' +
        'Fix: each hop must be a different user@host:port; remove the repeated hop.',
    );
  });

  it('allows the same host twice with different users or ports', () => {
    const target = normalizeSshTarget({
      host: 'h',
      username: 'otto',
      password: 'p',
      hop: {
        host: 'h',
        username: 'root',
        password: 'p',
        hop: { host: 'h', port: 2222, username: 'otto', password: 'p' },
      },
    });
    expect(describeChain(target)).toBe('otto@h:22 via root@h:22 via otto@h:2222');
  });
});
