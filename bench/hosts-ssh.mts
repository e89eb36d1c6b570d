// The SSH part of the hosts benchmark: otto-ts against OpenSSH on loopback, against the same
// server: the test bed's sshd published on 127.0.0.1, user otto, key login. (Not an sshd for
// root on this machine: a login shell that sources a heavy ~/.bashrc would swamp every figure.)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshHost } from '../src/hosts/ssh-host.ts';
import { startSshTestbed } from '../test/helpers/ssh-testbed.ts';
import { ensureTestbedImages } from '../test/setup/testbed-images.ts';
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import { compare } from './lib.mjs';

export async function benchSsh(): Promise<void> {
  const { images } = await ensureTestbedImages(EngineClient.fromEnvironment());
  const testbed = await startSshTestbed(['direct'], { image: images.testbed });
  const server = testbed.server('direct');
  const sshd = { host: server.host, port: server.port, username: 'otto', keys: testbed.keys };
  const dir = mkdtempSync(join(tmpdir(), 'otto-bench-ssh-'));
  const control = join(dir, 'control');
  const known = join(dir, 'known_hosts');
  const common = [
    '-i',
    sshd.keys.privateKeyPath,
    '-p',
    String(sshd.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    `UserKnownHostsFile=${known}`,
    '-o',
    'LogLevel=ERROR',
  ];
  const target = `${sshd.username}@${sshd.host}`;
  spawnSync('ssh', [...common, '-M', '-S', control, '-f', '-N', target]);
  const target64 = {
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.keys.privateKey,
    knownHostsPath: join(dir, 'otto_known_hosts'),
  };
  const host = new SshHost(target64, { log: false });
  const scpHost = new SshHost(target64, { log: false, transfer: 'scp' });
  try {
    await host.run('true');
    await host.oneshot(['true']);
    await compare(
      'ssh (loopback): one command',
      [
        {
          name: 'OpenSSH multiplexed `ssh -S ctl host true`',
          run: async () => void execFileSync('ssh', ['-S', control, target, 'true']),
        },
        { name: 'otto SshHost.oneshot(["true"])', run: () => host.oneshot(['true']) },
        { name: 'otto SshHost.run("true") (persistent shell)', run: () => host.run('true') },
        {
          name: 'OpenSSH `ssh host true` (new connection)',
          run: async () => void execFileSync('ssh', [...common, target, 'true']),
        },
      ],
      { rounds: 30, warmup: 3 },
    );
    await compare(
      'ssh (loopback): persistent shell only',
      [{ name: 'otto SshHost.run("true")', run: () => host.run('true') }],
      { rounds: 300, warmup: 20 },
    );
    await benchSshTransfers(host, scpHost, dir, common, target);
  } finally {
    spawnSync('ssh', ['-S', control, '-O', 'exit', target]);
    await host.close();
    await scpHost.close();
    await testbed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchSshTransfers(
  host: SshHost,
  scpHost: SshHost,
  dir: string,
  common: string[],
  target: string,
): Promise<void> {
  const file = join(dir, 'payload.bin');
  writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 0x5a));
  for (const name of ['otto-sftp', 'otto-scp', 'openssh'])
    mkdirSync(join(dir, 'down', name), { recursive: true });
  await host.run('mkdir -p /tmp/otto-bench-up');
  const port = common[common.indexOf('-p') + 1]!;
  const copyOptions = common.filter(
    (_, index) => index !== common.indexOf('-p') && index !== common.indexOf('-p') + 1,
  );
  const sftpBatch = (line: string): void =>
    void execFileSync('sftp', [...copyOptions, '-P', port, '-b', '-', target], {
      input: `${line}\n`,
    });
  await compare(
    'ssh (loopback): 64 MiB put',
    [
      {
        name: 'OpenSSH sftp put',
        run: async () => sftpBatch(`put ${file} /tmp/otto-bench-up/openssh.bin`),
      },
      { name: 'otto put (SFTP)', run: () => host.put([file], '/tmp/otto-bench-up') },
      {
        name: 'OpenSSH scp',
        run: async () =>
          void execFileSync('scp', [
            ...copyOptions,
            '-P',
            port,
            file,
            `${target}:/tmp/otto-bench-up/scp.bin`,
          ]),
      },
      { name: 'otto put (SCP)', run: () => scpHost.put([file], '/tmp/otto-bench-up') },
    ],
    { rounds: 7, warmup: 1 },
  );
  await compare(
    'ssh (loopback): 64 MiB get',
    [
      {
        name: 'OpenSSH sftp get',
        run: async () =>
          sftpBatch(
            `get /tmp/otto-bench-up/payload.bin ${join(dir, 'down', 'openssh', 'sftp.bin')}`,
          ),
      },
      {
        name: 'otto get (SFTP)',
        run: () => host.get(['/tmp/otto-bench-up/payload.bin'], join(dir, 'down', 'otto-sftp')),
      },
      {
        name: 'OpenSSH scp',
        run: async () =>
          void execFileSync('scp', [
            ...copyOptions,
            '-P',
            port,
            `${target}:/tmp/otto-bench-up/payload.bin`,
            join(dir, 'down', 'openssh', 'scp.bin'),
          ]),
      },
      {
        name: 'otto get (SCP)',
        run: () => scpHost.get(['/tmp/otto-bench-up/payload.bin'], join(dir, 'down', 'otto-scp')),
      },
    ],
    { rounds: 7, warmup: 1 },
  );
}
