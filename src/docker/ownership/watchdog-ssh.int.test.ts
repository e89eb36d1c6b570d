import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../common/deadline.js';
import { engine } from '../../../test/helpers/engine.js';
import { startLocalSshd, type LocalSshd } from '../../../test/helpers/local-sshd.js';
import {
  isWatchdogRunning,
  remainingOf,
  removeByIds,
  startOwnerProcess,
} from '../../../test/helpers/owner-process.js';

// The local sshd acts as a docker-capable SSH host: its engine socket is this machine's.
let sshd: LocalSshd;
const made = { containers: [] as string[], networks: [] as string[], volumes: [] as string[] };
beforeAll(async () => {
  sshd = await startLocalSshd();
}, 60_000);
afterAll(async () => {
  await removeByIds(engine, made);
  await sshd?.stop();
});

describe('the watchdog of an owner using an engine over SSH', () => {
  it('reconnects over its own SSH connection and removes what the owner left', async () => {
    const owner = await startOwnerProcess({
      prefix: `otto-reaper-ssh-${randomBytes(3).toString('hex')}`,
      containers: 2,
      networks: 1,
      volumes: 1,
      then: 'wait',
      ssh: {
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        privateKeyPath: sshd.keys.privateKeyPath,
        knownHostsPath: sshd.knownHostsPath,
      },
    });
    made.containers.push(...owner.report.containers);
    made.networks.push(...owner.report.networks);
    made.volumes.push(...owner.report.volumes);
    expect((await remainingOf(engine, owner.report)).containers).toHaveLength(2);
    owner.child.kill('SIGKILL');
    await owner.exited;
    await waitUntil(
      async () => {
        const left = await remainingOf(engine, owner.report);
        return [...left.containers, ...left.networks, ...left.volumes].length === 0 || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the owner's resources to be removed over SSH" },
    );
    await waitUntil(
      () => Promise.resolve(isWatchdogRunning(owner.report.watchdogPid) ? undefined : true),
      {
        timeoutMs: 10_000,
        what: 'the watchdog to exit',
      },
    );
  });
});
