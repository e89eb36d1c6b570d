import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { LabFileHost } from './lab-file.js';
import {
  checkLabHostSupported,
  createLabHost,
  sshTargetFor,
  telnetTargetFor,
  transferOptionsFor,
  type HostDefaults,
} from './lab-hosts.js';
import { labHostId, type LabHostEntry } from './lab-schema.js';
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

describe('telnetTargetFor', () => {
  it('resolves a telnet host with its telnet_options over the defaults, and its hop by id', () => {
    const telnetLab = labWith({
      id: 'router',
      ip: '10.0.0.7',
      ne: 'router',
      term: 'telnet',
      creds: { admin: 'secret' },
      hop: 'carrot_seed',
      telnet_options: { login_prompt: 'User name:', login_timeout: 2.5, cols: 120 },
    });
    const target = telnetTargetFor(telnetLab, 'router', {
      telnet_options: { port: 2323, rows: 40, cols: 80 },
    });
    expect({ ...target, hop: target.hop?.name }).toEqual({
      name: 'router',
      host: '10.0.0.7',
      port: 2323,
      user: 'admin',
      password: 'secret',
      loginPrompt: 'User name:',
      passwordPrompt: undefined,
      connectTimeoutMs: undefined,
      loginTimeoutMs: 2500,
      cols: 120,
      rows: 40,
      hop: 'carrot_seed',
    });
  });

  it('checks telnet_options given in code, a pattern that does not compile included', () => {
    const defaults = {
      telnet_options: { login_prompt: '(login', colls: 80 },
    } as unknown as HostDefaults;
    expect(() => telnetTargetFor(lab, 'tomato_seed', defaults)).toThrow(
      new ConfigError(
        'INVALID_HOST_OPTION',
        'Invalid telnet_options for host "tomato_seed": telnet_options.login_prompt: not a valid regular expression (/(login/i: Unterminated group); telnet_options: unknown option "colls"; did you mean "cols"?',
      ),
    );
  });
});

describe('transferOptionsFor', () => {
  it('turns ftp_options and nc_options into host options, seconds into milliseconds', () => {
    const options = transferOptionsFor(lab, 'tomato_seed', {
      ftp_options: { port: 2121, connect_timeout: 3 },
      nc_options: { exec_name: 'busybox nc', port_min: 9100, port_max: 9200, listener_timeout: 4 },
    });
    expect(options).toEqual({
      ftp: { port: 2121, connectTimeoutMs: 3000 },
      nc: { execName: 'busybox nc', portMin: 9100, portMax: 9200, listenerTimeoutMs: 4000 },
    });
    expect(transferOptionsFor(lab, 'tomato_seed')).toEqual({ ftp: {}, nc: {} });
  });

  it('refuses an empty nc port range', () => {
    expect(() =>
      transferOptionsFor(lab, 'tomato_seed', { nc_options: { port_min: 9500, port_max: 9400 } }),
    ).toThrow('Invalid nc_options for host "tomato_seed": port_min 9500 is above port_max 9400.');
  });
});

describe('createLabHost', () => {
  it('builds SSH and telnet hosts, with the default transfer of each', async () => {
    const carrot = createLabHost(lab, 'carrot_seed');
    expect([carrot.id, carrot.kind]).toEqual(['carrot_seed', 'ssh']);
    await carrot.close();
    const tomato = createLabHost(lab, 'tomato_seed');
    expect([tomato.id, tomato.kind]).toEqual(['tomato_seed', 'telnet']);
    await tomato.close();
    expect(checkLabHostSupported(lab, 'carrot_seed')).toEqual({ term: 'ssh', transfer: 'scp' });
    expect(checkLabHostSupported(lab, 'tomato_seed')).toEqual({ term: 'telnet', transfer: 'nc' });
  });

  it('refuses a telnet host with a transfer that needs SSH', () => {
    const telnetLab = labWith({
      ip: '10.0.0.7',
      ne: 'old',
      term: 'telnet',
      transfer: 'sftp',
      creds: { u: 'p' },
    });
    expect(() => createLabHost(telnetLab, 'old')).toThrow(
      'Host "old" uses term "telnet" with transfer "sftp", which needs SSH; a telnet host moves files by ftp, nc, shell, auto.',
    );
  });
});

/** The compat lab plus one host, entered as the lab file reader would. */
function labWith(entry: LabHostEntry): Lab {
  const id = labHostId(entry);
  const hosts = new Map(lab.hosts);
  hosts.set(id, { id, entry, file: 'hosts.json', labs: ['veggies'] } satisfies LabFileHost);
  return { ...lab, hosts };
}
