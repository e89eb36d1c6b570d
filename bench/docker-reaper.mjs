// The reaper: a process holding 10 containers, 2 networks and 2 volumes (made through the library,
// so its watchdog runs) is SIGKILLed; we time until all of them are gone, and check that foreign
// resources (no otto labels) on the same engine are untouched. Then the owner's cost of the
// watchdog: the first `StartedContainer.start` of a process, with the watchdog and without it
// (OTTO_WATCHDOG=off), in fresh processes, interleaved.
import { randomBytes } from 'node:crypto';
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import {
  createForeignResources,
  isWatchdogRunning,
  remainingOf,
  removeByIds,
  startOwnerProcess,
} from '../test/helpers/owner-process.ts';
import { median } from './lib.mjs';

const ROUNDS = 5;
const START_ROUNDS = 5;

export async function run() {
  const engine = EngineClient.fromEnvironment();
  const prefix = `otto-bench-reaper-${randomBytes(3).toString('hex')}`;
  const foreign = await createForeignResources(engine, prefix);
  const foreignStartedAt = await startedAt(engine, foreign.container);
  const made = { containers: [], networks: [], volumes: [] };
  try {
    const seconds = [];
    let watchdogsLeft = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const owner = await startOwnerProcess({
        prefix: `${prefix}-${round}`,
        containers: 10,
        networks: 2,
        volumes: 2,
        then: 'wait',
      });
      made.containers.push(...owner.report.containers);
      made.networks.push(...owner.report.networks);
      made.volumes.push(...owner.report.volumes);
      const killedAt = performance.now();
      owner.child.kill('SIGKILL');
      seconds.push((await waitGone(engine, owner.report, killedAt)) / 1000);
      await waitFor(() => !isWatchdogRunning(owner.report.watchdogPid), 10_000);
      if (isWatchdogRunning(owner.report.watchdogPid)) watchdogsLeft++;
    }
    const touched = await countTouched(engine, foreign, foreignStartedAt);
    const starts = await measureFirstStarts();
    printTables(seconds, touched, watchdogsLeft, starts);
  } finally {
    await removeByIds(engine, made);
    await removeByIds(engine, {
      containers: [foreign.container],
      networks: [foreign.network],
      volumes: [foreign.volume],
    });
    await engine.close();
  }
}

async function waitGone(engine, report, killedAt) {
  for (;;) {
    const left = await remainingOf(engine, report);
    if (left.containers.length + left.networks.length + left.volumes.length === 0)
      return performance.now() - killedAt;
    if (performance.now() - killedAt > 60_000) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitFor(check, timeoutMs) {
  const startMs = performance.now();
  while (!check() && performance.now() - startMs < timeoutMs)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

async function startedAt(engine, id) {
  const info = await engine.json({ method: 'GET', path: `/containers/${id}/json` });
  return info.State.StartedAt;
}

/** Foreign resources gone, or the foreign container restarted: each counts as touched. */
async function countTouched(engine, foreign, foreignStartedAt) {
  const exists = (path) =>
    engine.json({ method: 'GET', path }).then(
      () => true,
      () => false,
    );
  let touched = 0;
  if (!(await exists(`/networks/${foreign.network}`))) touched++;
  if (!(await exists(`/volumes/${foreign.volume}`))) touched++;
  const container = await startedAt(engine, foreign.container).catch(() => undefined);
  if (container !== foreignStartedAt) touched++;
  return touched;
}

/** The first start of a fresh process, with the watchdog and without, interleaved. */
async function measureFirstStarts() {
  const samples = { on: [], off: [] };
  const engine = EngineClient.fromEnvironment();
  try {
    for (let round = 0; round < START_ROUNDS; round++) {
      for (const mode of round % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
        const owner = await startOwnerProcess(
          {
            prefix: `otto-bench-start-${randomBytes(3).toString('hex')}`,
            containers: 1,
            networks: 0,
            volumes: 0,
            then: 'exit',
          },
          { OTTO_WATCHDOG: mode === 'on' ? '' : 'off' },
        );
        await owner.exited;
        samples[mode].push(owner.report.firstStartMs);
        await removeByIds(engine, { containers: owner.report.containers });
      }
    }
  } finally {
    await engine.close();
  }
  return { on: median(samples.on), off: median(samples.off) };
}

function printTables(seconds, touched, watchdogsLeft, starts) {
  console.log(
    `\n### Reaper: a SIGKILLed owner of 10 containers, 2 networks, 2 volumes (${ROUNDS} rounds)\n`,
  );
  console.log('| measure | value | target |');
  console.log('|---|---:|---:|');
  console.log(`| seconds until all are gone (median) | ${median(seconds).toFixed(2)} s | < 30 s |`);
  console.log(
    `| seconds until all are gone (worst) | ${Math.max(...seconds).toFixed(2)} s | < 30 s |`,
  );
  console.log(`| foreign resources touched (of 3 present) | ${touched} | 0 |`);
  console.log(`| watchdogs still running after cleanup | ${watchdogsLeft} | 0 |`);
  console.log(
    `\n### First StartedContainer.start of a process (${START_ROUNDS} interleaved rounds)\n`,
  );
  console.log('| contender | median | ratio to first |');
  console.log('|---|---:|---:|');
  console.log(`| without tracking (OTTO_WATCHDOG=off) | ${starts.off.toFixed(0)} ms | 1.00x |`);
  console.log(
    `| with the watchdog (spawned on first start) | ${starts.on.toFixed(0)} ms | ${(starts.on / starts.off).toFixed(2)}x |`,
  );
}
