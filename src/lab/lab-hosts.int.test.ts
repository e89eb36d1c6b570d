import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshTestbed, type SshTestbed } from '../../test/helpers/ssh-testbed.js';
import { createLabHost } from './lab-hosts.js';
import { loadLab } from './lab.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

let testbed: SshTestbed;
beforeAll(async () => {
  testbed = await startSshTestbed(['direct', 'behind']);
}, 120_000);
afterAll(() => testbed?.stop());

describe('hosts from a lab file', () => {
  it('reaches a host through a hop named by id, with a key on one hop and a password on the other', async () => {
    const dir = await makeTempDir('otto-lab-hosts-');
    const direct = testbed.server('direct');
    const behind = testbed.server('behind');
    const knownHosts = testbed.newKnownHostsPath();
    const hosts = [
      {
        id: 'gateway',
        ip: direct.host,
        port: direct.port,
        ne: 'gateway',
        creds: { otto: '' },
        key: testbed.keys.privateKeyPath,
        labs: ['testbed'],
        ssh_options: { known_hosts: knownHosts },
      },
      {
        id: 'inner',
        ip: behind.host,
        ne: 'inner',
        creds: { root: 'root' },
        hop: 'gateway',
        labs: ['testbed'],
        transfer: 'sftp',
        ssh_options: { known_hosts: knownHosts },
      },
    ];
    await writeFile(join(dir, 'hosts.json'), JSON.stringify(hosts));
    const lab = await loadLab({ names: ['testbed'], dirs: [dir] });
    await using inner = createLabHost(lab, 'inner');
    expect(
      (await inner.run(['hostname', 'id -un'])).results.map((result) => result.output),
    ).toEqual(['behind\n', 'root\n']);
  });
});
