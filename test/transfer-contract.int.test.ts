import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, inject } from 'vitest';
import { StartedContainer } from '../src/docker/containers/started-container.js';
import { DockerArchiveTransfer } from '../src/docker/exec/docker-archive-transfer.js';
import { DockerExecTransport } from '../src/docker/exec/docker-exec-transport.js';
import { ownershipLabels } from '../src/docker/labels.js';
import { LocalTransfer } from '../src/transfers/local-transfer.js';
import { ScpTransfer } from '../src/transfers/scp-transfer.js';
import { SftpTransfer } from '../src/transfers/sftp-transfer.js';
import type { Transfer } from '../src/transfers/transfer.js';
import { SshTransport } from '../src/transports/ssh/ssh-transport.js';
import type { Transport } from '../src/transports/transport.js';
import { engine } from './helpers/engine.js';
import { startSshTestbed, type SshTestbed } from './helpers/ssh-testbed.js';
import {
  describeTransferContract,
  type TransferContractTarget,
} from './helpers/transfer-contract.js';

const IS_ROOT = process.getuid?.() === 0;

/** A command through a transport, its stdout; a non-zero exit rejects with its output. */
async function execOn(transport: Transport, command: string): Promise<string> {
  const outcome = await transport.exec(command, { timeoutMs: 60_000 });
  if (outcome.exitCode !== 0)
    throw new Error(`\`${command}\` exited with ${outcome.exitCode}: ${outcome.output.toString()}`);
  return outcome.stdout.toString();
}

describeTransferContract(
  'local',
  async (): Promise<TransferContractTarget> => {
    const remoteDir = await mkdtemp(join(tmpdir(), 'otto-contract-local-'));
    const readOnlyDir = await mkdtemp(join(tmpdir(), 'otto-contract-local-ro-'));
    await chmod(readOnlyDir, 0o555);
    const sh = async (command: string): Promise<string> =>
      (await promisify(execFile)('sh', ['-c', command])).stdout;
    if (IS_ROOT) await sh(`chattr +i '${readOnlyDir}'`);
    const phrase = IS_ROOT ? 'operation not permitted' : 'permission denied';
    return {
      transfer: new LocalTransfer({ hostId: 'this-machine' }),
      sh,
      remoteDir,
      readOnly: {
        dir: readOnlyDir,
        reason: `cannot write ${readOnlyDir}/small.txt: ${phrase}`,
      },
      close: async () => {
        if (IS_ROOT) await sh(`chattr -i '${readOnlyDir}'`);
        await rm(readOnlyDir, { recursive: true, force: true });
        await rm(remoteDir, { recursive: true, force: true });
      },
    };
  },
  { hasFull: false },
);

let testbed: SshTestbed | undefined;
const sshTransports: SshTransport[] = [];

/** The SSH test bed, started once for both SSH transfers. */
async function sshTestbed(): Promise<SshTestbed> {
  testbed ??= await startSshTestbed(['direct']);
  return testbed;
}

afterAll(async () => {
  await Promise.all(sshTransports.map((transport) => transport.close()));
  await testbed?.stop();
});

function sshTarget(kind: 'sftp' | 'scp', makeTransfer: (ssh: SshTransport) => Transfer) {
  return async (): Promise<TransferContractTarget> => {
    const bed = await sshTestbed();
    const { host, port } = bed.server('direct');
    const knownHostsPath = bed.newKnownHostsPath();
    const otto = new SshTransport({
      host,
      port,
      username: 'otto',
      password: 'otto',
      knownHostsPath,
      name: 'direct',
    });
    const root = new SshTransport({
      host,
      port,
      username: 'root',
      password: 'root',
      knownHostsPath,
    });
    sshTransports.push(otto, root);
    const sh = (command: string): Promise<string> => execOn(root, command);
    const remoteDir = `/home/otto/contract-${kind}`;
    const readOnlyDir = `/srv/read-only-${kind}`;
    const fullDir = `/dev/shm/full-${kind}`;
    const filler = `/dev/shm/.filler-${kind}`;
    await sh(`install -d -o otto -g otto ${remoteDir} && install -d -m 555 ${readOnlyDir}`);
    // /dev/shm is a 64 MiB tmpfs: fill it to leave 256 KiB, less than the 1 MiB binary.bin.
    await sh(
      `install -d -m 777 ${fullDir} && fallocate -l $(( $(df -k --output=avail /dev/shm | tail -n 1) * 1024 - 262144 )) ${filler}`,
    );
    const readOnlyReason =
      kind === 'sftp'
        ? `cannot write ${readOnlyDir}/small.txt: permission denied`
        : `cannot write ${readOnlyDir}: permission denied`;
    return {
      transfer: makeTransfer(otto),
      sh,
      remoteDir,
      readOnly: { dir: readOnlyDir, reason: readOnlyReason },
      full: { dir: fullDir, reason: `cannot write ${fullDir}/binary.bin: no space left on device` },
      close: async () => {
        await sh(`rm -rf ${remoteDir} ${readOnlyDir} ${fullDir} ${filler}`);
      },
    };
  };
}

describeTransferContract(
  'sftp',
  sshTarget('sftp', (ssh) => new SftpTransfer(ssh)),
  { hasFull: true },
);
describeTransferContract(
  'scp',
  sshTarget('scp', (ssh) => new ScpTransfer(ssh)),
  { hasFull: true },
);

function containerTarget(imageName: 'busybox' | 'debian') {
  return async (): Promise<TransferContractTarget> => {
    const suffix = randomBytes(4).toString('hex');
    const volume = `otto-contract-full-${suffix}`;
    const readOnlyHostDir = await mkdtemp(join(tmpdir(), 'otto-contract-ro-'));
    // A tmpfs volume (the engine extracts into volumes; into a container's own tmpfs mounts it
    // writes below them, where the container does not see it).
    await engine.json({
      method: 'POST',
      path: '/volumes/create',
      body: {
        Name: volume,
        Driver: 'local',
        DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=256k' },
        Labels: ownershipLabels('transfer-contract-test'),
      },
    });
    const container = await StartedContainer.start(engine, {
      image: inject('images')[imageName],
      cmd: ['sleep', '3600'],
      entrypoint: [],
      binds: [`${readOnlyHostDir}:/read-only:ro`, `${volume}:/full`],
      purpose: 'transfer-contract-test',
    }).catch(async (error: unknown) => {
      await engine.json({ method: 'DELETE', path: `/volumes/${volume}` });
      throw error;
    });
    const shell = new DockerExecTransport(engine, container.id);
    const sh = (command: string): Promise<string> => execOn(shell, command);
    await sh('mkdir -p /contract');
    return {
      transfer: new DockerArchiveTransfer(engine, container.id, { hostId: `${imageName}-box` }),
      sh,
      remoteDir: '/contract',
      readOnly: {
        dir: '/read-only',
        reason: 'cannot write /read-only: mounted volume is marked read-only',
      },
      full: { dir: '/full', reason: 'cannot write /full/binary.bin: no space left on device' },
      close: async () => {
        await shell.close();
        await container.stop();
        await engine.json({ method: 'DELETE', path: `/volumes/${volume}` });
        await rm(readOnlyHostDir, { recursive: true, force: true });
      },
    };
  };
}

describeTransferContract('docker-archive (busybox)', containerTarget('busybox'), { hasFull: true });
describeTransferContract('docker-archive (debian)', containerTarget('debian'), { hasFull: true });
