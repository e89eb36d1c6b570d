import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../common/deadline.js';
import { engine } from '../../../test/helpers/engine.js';
import {
  createForeignResources,
  isWatchdogRunning,
  remainingOf,
  removeByIds,
  startOwnerProcess,
} from '../../../test/helpers/owner-process.js';
import { StartedContainer } from '../containers/started-container.js';
import { StartedNetwork } from '../networks/started-network.js';
import { StartedVolume } from '../volumes/started-volume.js';
import { sweepDeadOwners } from './sweep.js';

const prefix = `otto-reaper-${randomBytes(3).toString('hex')}`;
const made = { containers: [] as string[], networks: [] as string[], volumes: [] as string[] };
afterAll(() => removeByIds(engine, made));

const exists = (path: string) =>
  engine.json({ method: 'GET', path }).then(
    () => true,
    () => false,
  );
const isGone = async (report: Parameters<typeof remainingOf>[1]) => {
  const left = await remainingOf(engine, report);
  return [...left.containers, ...left.networks, ...left.volumes].length === 0 ? true : undefined;
};

describe('the watchdog', () => {
  it("removes a SIGKILLed owner's containers, network and volume, and nothing else", async () => {
    const foreign = await createForeignResources(engine, prefix);
    made.containers.push(foreign.container);
    made.networks.push(foreign.network);
    made.volumes.push(foreign.volume);
    // Resources of a live owner (this test process) and kept ones of the same kinds.
    await using live = await StartedContainer.start(engine, {
      image: 'otto/busybox:latest',
      name: `${prefix}-live`,
      cmd: ['sleep', '600'],
    });
    await using liveNetwork = await StartedNetwork.start(engine, { name: `${prefix}-live-n` });
    await using liveVolume = await StartedVolume.create(engine, { name: `${prefix}-live-v` });
    await using kept = await StartedContainer.start(engine, {
      image: 'otto/busybox:latest',
      name: `${prefix}-kept`,
      cmd: ['sleep', '600'],
      labels: { 'otto.lifetime': 'kept' },
    });
    await using keptVolume = await StartedVolume.create(engine, {
      name: `${prefix}-kept-v`,
      lifetime: 'kept',
    });
    const owner = await startOwnerProcess({
      prefix: `${prefix}-killed`,
      containers: 3,
      networks: 1,
      volumes: 1,
      then: 'wait',
    });
    made.containers.push(...owner.report.containers);
    made.networks.push(...owner.report.networks);
    made.volumes.push(...owner.report.volumes);
    expect(await remainingOf(engine, owner.report)).toEqual({
      containers: owner.report.containers,
      networks: owner.report.networks,
      volumes: owner.report.volumes,
    });
    const killedAt = performance.now();
    owner.child.kill('SIGKILL');
    await owner.exited;
    await waitUntil(() => isGone(owner.report), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: "the killed owner's resources to be removed",
    });
    expect(performance.now() - killedAt).toBeLessThan(30_000);
    const survivors = [
      `/containers/${foreign.container}/json`,
      `/networks/${foreign.network}`,
      `/volumes/${foreign.volume}`,
      `/containers/${live.id}/json`,
      `/networks/${liveNetwork.id}`,
      `/volumes/${liveVolume.name}`,
      `/containers/${kept.id}/json`,
      `/volumes/${keptVolume.name}`,
    ];
    expect(await Promise.all(survivors.map(exists))).toEqual(survivors.map(() => true));
    await waitUntil(
      () => Promise.resolve(isWatchdogRunning(owner.report.watchdogPid) ? undefined : true),
      {
        timeoutMs: 10_000,
        what: 'the watchdog to exit',
      },
    );
  });

  it('removes what an owner left when it exits normally without stopping it', async () => {
    const owner = await startOwnerProcess({
      prefix: `${prefix}-exited`,
      containers: 1,
      networks: 1,
      volumes: 1,
      then: 'exit',
    });
    made.containers.push(...owner.report.containers);
    made.networks.push(...owner.report.networks);
    made.volumes.push(...owner.report.volumes);
    expect(await owner.exited).toBe(0);
    await waitUntil(() => isGone(owner.report), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: "the exited owner's resources to be removed",
    });
    await waitUntil(
      () => Promise.resolve(isWatchdogRunning(owner.report.watchdogPid) ? undefined : true),
      {
        timeoutMs: 10_000,
        what: 'the watchdog to exit',
      },
    );
  });
});

describe('sweepDeadOwners', () => {
  it("lists, then removes, a dead owner's leftovers when no watchdog ran", async () => {
    const owner = await startOwnerProcess(
      { prefix: `${prefix}-swept`, containers: 2, networks: 1, volumes: 1, then: 'exit' },
      { OTTO_WATCHDOG: 'off' },
    );
    made.containers.push(...owner.report.containers);
    made.networks.push(...owner.report.networks);
    made.volumes.push(...owner.report.volumes);
    expect(owner.report.watchdogPid).toBeUndefined();
    await owner.exited;
    // Only this owner's: the engine is shared, and other dead owners may have left things.
    const labels = { 'otto.pid': String(owner.child.pid) };
    const listed = await sweepDeadOwners(engine, { dryRun: true, labels });
    const listedIds = listed.removed.map((resource) => resource.id);
    const all = [...owner.report.containers, ...owner.report.networks, ...owner.report.volumes];
    // (Any otto process starting now may sweep them too: only the listing is checked here.)
    expect(listedIds).toEqual(expect.arrayContaining(all));
    const swept = await sweepDeadOwners(engine, { labels });
    expect(swept.failed).toEqual([]);
    expect(await isGone(owner.report)).toBe(true);
  });
});
