import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelnetTestbed, type TelnetTestbed } from '../../test/helpers/telnet-testbed.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { SshHost } from './ssh-host.js';

let bed: TelnetTestbed;
beforeAll(async () => {
  bed = await startTelnetTestbed(['direct']);
}, 300_000);
afterAll(() => bed?.stop());

describe('SshHost transfers picked per call', () => {
  it('moves files by sftp, scp, ftp, nc, shell and auto, nc and FTP through its connection', async () => {
    const local = await makeTempDir('otto-ssh-transfers-');
    await mkdir(join(local, 'back'));
    await writeFile(join(local, 'note.txt'), 'over ssh\n');
    await using host = new SshHost(
      {
        host: bed.box('direct').host,
        username: 'otto',
        password: 'otto',
        knownHostsPath: join(local, 'known_hosts'),
        name: 'ssh-box',
      },
      { transfer: 'scp' },
    );
    for (const transfer of ['sftp', 'scp', 'ftp', 'nc', 'shell', 'auto', undefined] as const) {
      const dir = `/tmp/ssh-transfers-${transfer ?? 'default'}`;
      const put = await host.put([join(local, 'note.txt')], dir, { transfer });
      expect(put.files.map((file) => file.destination)).toEqual([`${dir}/note.txt`]);
      const back = join(local, 'back', transfer ?? 'default');
      await host.get([`${dir}/note.txt`], back, { transfer });
      expect(await readFile(join(back, 'note.txt'), 'utf8')).toBe('over ssh\n');
    }
    await expect(
      host.put([join(local, 'note.txt')], '/tmp', { transfer: 'local' }),
    ).rejects.toThrow('Invalid transfer "local" for a call on host "ssh-box"');
  });

  it('refuses a transfer the host does not offer when it is made', () => {
    expect(
      () =>
        new SshHost(
          { host: '127.0.0.1', username: 'otto', name: 'keyed', privateKeyPath: '/nonexistent' },
          { transfer: 'ftp' },
        ),
    ).toThrow(
      `Invalid transfer "ftp" for host "keyed" (otto@127.0.0.1:22) [ssh]: it offers sftp, scp, nc, shell, auto (FTP needs a password: the login's, or ftp.password).`,
    );
  });
});
