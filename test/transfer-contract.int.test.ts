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
import { engine } from './helpers/engine.js';
import { execOn, SshContractTargets } from './helpers/ssh-contract-targets.js';
import {
  describeTransferContract,
  type TransferContractTarget,
} from './helpers/transfer-contract.js';

const IS_ROOT = process.getuid?.() === 0;

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

const ssh = new SshContractTargets();
afterAll(() => ssh.stop());

describeTransferContract(
  'sftp',
  ssh.target(
    'sftp',
    (otto) => new SftpTransfer(otto),
    (dir) => `cannot write ${dir}/small.txt: permission denied`,
  ),
  { hasFull: true },
);
describeTransferContract(
  'scp',
  ssh.target('scp', (otto) => new ScpTransfer(otto)),
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
