import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { createLabHost, sshTargetFor, type HostDefaults } from './lab-hosts.js';
import { loadLab, type Lab } from './lab.js';

const COMPAT = fileURLToPath(new URL('../../test/fixtures/otto-compat/lab_data', import.meta.url));
let lab: Lab;
beforeAll(async () => {
  lab = await loadLab({ names: ['veggies'], dirs: [join(COMPAT, 'tech1')] });
});

describe('sshTargetFor', () => {
  it('resolves a host and its hop chain by id, each with its own credentials', () => {
    expect(sshTargetFor(lab, 'pepper_seed')).toEqual({
      name: 'pepper_seed',
      host: '10.10.200.13',
      port: 22,
      username: 'vagrant',
      password: 'vagrant',
      privateKeyPath: undefined,
      passphrase: undefined,
      knownHostsPath: undefined,
      connectTimeoutMs: undefined,
      hop: {
        name: 'carrot_seed',
        host: '10.10.200.11',
        port: 22,
        username: 'vagrant',
        password: 'vagrant',
        privateKeyPath: undefined,
        passphrase: undefined,
        knownHostsPath: undefined,
        connectTimeoutMs: undefined,
        hop: undefined,
      },
    });
  });

  it('applies repo-wide ssh defaults under the host', () => {
    const target = sshTargetFor(lab, 'carrot_seed', {
      ssh_options: { port: 2222, connect_timeout: 2.5, known_hosts: '/tmp/kh' },
    });
    expect(target).toMatchObject({ port: 2222, connectTimeoutMs: 2500, knownHostsPath: '/tmp/kh' });
  });

  it('names the closest ids for an unknown host', () => {
    expect(() => sshTargetFor(lab, 'carot_seed')).toThrow(
      'No host "carot_seed" in lab veggies; did you mean "carrot_seed"?\nFix: otto --list-hosts lists the hosts of the lab.',
    );
  });

  it('checks defaults given in code like a lab file, naming the option and its value', () => {
    const defaults = { ssh_options: { port: '22', conect_timeout: 0 } } as unknown as HostDefaults;
    expect(() => sshTargetFor(lab, 'carrot_seed', defaults)).toThrow(
      new ConfigError(
        'INVALID_HOST_OPTION',
        'Invalid ssh_options for host "carrot_seed": ssh_options.port: expected a whole number from 1 to 65535, got "22"; ssh_options: unknown option "conect_timeout"; did you mean "connect_timeout"?',
      ),
    );
  });

  it('gives a tiny connect_timeout at least a millisecond', () => {
    const target = sshTargetFor(lab, 'carrot_seed', { ssh_options: { connect_timeout: 0.0001 } });
    expect(target.connectTimeoutMs).toBe(1);
  });
});

describe('createLabHost', () => {
  it('builds SSH hosts and refuses, clearly, what is not supported yet', async () => {
    const carrot = createLabHost(lab, 'carrot_seed');
    expect([carrot.id, carrot.kind]).toEqual(['carrot_seed', 'ssh']);
    await carrot.close();
    expect(() => createLabHost(lab, 'tomato_seed')).toThrow(
      'Host "tomato_seed" uses term "telnet", which otto-ts does not support yet; its SSH hosts (scp or sftp) work.',
    );
  });
});
