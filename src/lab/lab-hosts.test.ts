import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLabHost, sshTargetFor } from './lab-hosts.js';
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

  it('refuses a wrongly typed option with its name and value', () => {
    expect(() => sshTargetFor(lab, 'carrot_seed', { ssh_options: { port: '22' } })).toThrow(
      'Invalid ssh_options.port for host "carrot_seed": expected a number, got "22".',
    );
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
