import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { raceDeadline } from '../../common/deadline.js';
import type { EngineReach } from '../engine/engine-client.js';
import { decodeReach, openReachedEngine, reachKey } from './engine-reach.js';
import { ownerLiveness, type ProcessIdentity } from './process-identity.js';
import { removeOwnerResources, sweepDeadOwners } from './sweep.js';
import type { WatchdogLog } from './watchdog-log.js';

/**
 * The watchdog's work (the process `watchdog-main` starts). It reads engine reaches, one JSON
 * line each, from its stdin; for each new engine it sweeps what dead owners left there. When
 * stdin ends (the owner exited, crashed or was killed), it waits until the owner no longer runs,
 * removes every resource of the owner with lifetime `process` on those engines, and returns. The
 * whole cleanup is bounded by `cleanupTimeoutMs`; each engine request has its own deadline.
 */

/** Options of {@link runWatchdog}. */
export interface WatchdogOptions {
  /** The owning process. */
  owner: ProcessIdentity;
  /** The pipe from the owner. */
  input: Readable;
  /** Where to log. */
  log: WatchdogLog;
  /** Called once the owner is gone, before the cleanup starts. */
  onOwnerGone?: () => void;
  /** Time allowed for removing the owner's resources once it is gone. @default 20000 */
  cleanupTimeoutMs?: number;
}

/** Runs until the owner is gone and its resources are removed; resolves true when all went. */
export async function runWatchdog(options: WatchdogOptions): Promise<boolean> {
  const { owner, log } = options;
  log(`watching owner pid ${owner.pid} (start ${owner.startTicks})`);
  const engines = new Map<string, EngineReach>();
  const sweeps: Promise<void>[] = [];
  const lines = createInterface({ input: options.input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const reach = decodeReach(line);
    const key = reach && reachKey(reach);
    if (!reach || !key || engines.has(key)) return;
    engines.set(key, reach);
    log(`engine ${key}`);
    sweeps.push(sweepAtStart(key, reach, log));
  });
  await new Promise<void>((resolve) => lines.once('close', resolve));
  await waitUntilGone(owner);
  options.onOwnerGone?.();
  log(`owner pid ${owner.pid} is gone: removing its resources on ${engines.size} engine(s)`);
  const cleanupTimeoutMs = options.cleanupTimeoutMs ?? 20_000;
  const results = await Promise.all(
    [...engines].map(([key, reach]) => cleanUpEngine(key, reach, owner, cleanupTimeoutMs, log)),
  );
  // A short-lived owner (`otto docker ps`) is gone before the sweeps end: they finish (bounded).
  await Promise.all(sweeps);
  return results.every(Boolean);
}

/** Parses `--owner-pid=…` and its siblings from the watchdog's argv. */
export function parseWatchdogArgs(argv: readonly string[]): ProcessIdentity {
  const value = (name: string): string =>
    argv.find((arg) => arg.startsWith(`--owner-${name}=`))?.slice(`--owner-${name}=`.length) ?? '';
  return {
    pid: value('pid'),
    startTicks: value('start'),
    bootId: value('boot'),
    pidNamespace: value('pidns'),
    machine: value('machine'),
  };
}

/** The pipe closes as the owner exits, a moment before its pid is gone (or a zombie). */
async function waitUntilGone(owner: ProcessIdentity): Promise<void> {
  for (let pauseMs = 20; ownerLiveness(owner) === 'alive'; pauseMs = Math.min(pauseMs * 2, 1000))
    await sleep(pauseMs);
}

async function sweepAtStart(key: string, reach: EngineReach, log: WatchdogLog): Promise<void> {
  try {
    await withEngine(reach, 20_000, async (engine) => {
      const report = await sweepDeadOwners(engine, {
        timeoutMs: 15_000,
        signal: AbortSignal.timeout(10_000),
      });
      if (report.removed.length > 0 || report.failed.length > 0)
        log(
          `sweep of ${key}: removed ${report.removed.length} leftover(s) of dead owners, ${report.failed.length} failed`,
        );
    });
  } catch (error) {
    log(`sweep of ${key} failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

async function cleanUpEngine(
  key: string,
  reach: EngineReach,
  owner: ProcessIdentity,
  timeoutMs: number,
  log: WatchdogLog,
): Promise<boolean> {
  try {
    return await withEngine(reach, timeoutMs, async (engine) => {
      const outcome = await removeOwnerResources(engine, owner, { timeoutMs: timeoutMs - 2000 });
      log(`${key}: removed ${outcome.removed.length} resource(s)`);
      for (const failure of outcome.failed)
        log(
          `${key}: could not remove ${failure.resource.kind} ${failure.resource.name}: ${failure.reason}`,
        );
      return outcome.failed.length === 0;
    });
  } catch (error) {
    log(`${key}: cleanup failed: ${(error as Error).message.split('\n')[0]}`);
    return false;
  }
}

/** Runs `work` on a client for the reached engine, closed afterwards; all within `timeoutMs`. */
async function withEngine<T>(
  reach: EngineReach,
  timeoutMs: number,
  work: (engine: Awaited<ReturnType<typeof openReachedEngine>>['engine']) => Promise<T>,
): Promise<T> {
  const opened = await openReachedEngine(reach);
  try {
    const result = await raceDeadline(work(opened.engine), timeoutMs);
    if (result.kind === 'done') return result.value;
    if (result.kind === 'failed') throw result.error;
    throw new Error(`gave up after ${timeoutMs} ms`);
  } finally {
    await raceDeadline(opened.close(), 3000);
  }
}
