import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DockerError } from '../../errors.js';
import type { EngineClient } from '../engine/engine-client.js';
import { encodeReach, reachKey } from './engine-reach.js';
import { currentIdentity, type ProcessIdentity } from './process-identity.js';

/**
 * The owner's side of the watchdog. The first time this process creates a resource with lifetime
 * `process` on an engine, it makes sure its watchdog runs: one detached process per owner, in a
 * session of its own (a Ctrl-C of the terminal does not reach it), unref'd (it never keeps the
 * owner alive), with its stdin a pipe from the owner. The owner writes each engine's reach on that
 * pipe; the watchdog waits for the pipe to close, which happens when the owner ends in any way,
 * SIGKILL included, and then removes the owner's resources. `OTTO_WATCHDOG=off` turns it off.
 */

/** Environment variable that turns the watchdog off when set to `off` (or `0`). */
export const WATCHDOG_ENV = 'OTTO_WATCHDOG';

/** One watchdog per owner (this process, or the run whose shared resources this one made). */
const watchdogs = new Map<string, { child: ChildProcess; engines: Set<string> }>();

/**
 * Makes sure a watchdog for `owner` (this process unless a run's shared resources are meant)
 * runs and watches `engine`; it removes the owner's resources once the owner is gone and this
 * process has ended. Cheap after the first call for an engine; never waits for the watchdog. An engine no other process can reach (a connection
 * factory without `reach`) is not watched: `otto docker clean` removes its leftovers.
 * @example trackOwnedResources(engine); // before creating a container with lifetime `process`
 */
export function trackOwnedResources(
  engine: EngineClient,
  owner: ProcessIdentity = currentIdentity(),
): void {
  if (isWatchdogDisabled() || !engine.reach) return;
  const key = reachKey(engine.reach);
  const ownerKey = `${owner.pid}:${owner.startTicks}`;
  let watchdog = watchdogs.get(ownerKey);
  if (watchdog?.engines.has(key)) return;
  watchdog ??= { child: spawnWatchdog(owner), engines: new Set() };
  watchdogs.set(ownerKey, watchdog);
  watchdog.child.stdin?.write(encodeReach(engine.reach));
  watchdog.engines.add(key);
}

/** The pid of this process's own watchdog, once it was started (for diagnostics and tests). */
export function watchdogPid(): number | undefined {
  const self = currentIdentity();
  return watchdogs.get(`${self.pid}:${self.startTicks}`)?.child.pid;
}

/** True when `OTTO_WATCHDOG` turns the watchdog off. */
export function isWatchdogDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[WATCHDOG_ENV]?.trim().toLowerCase();
  return value === 'off' || value === '0' || value === 'false';
}

/** The argv that starts a watchdog for `owner` (non-secret data only). */
export function watchdogArgv(owner: ProcessIdentity): string[] {
  const entry = watchdogEntry();
  const loader = entry.endsWith('.ts') ? ['--import', tsxLoaderUrl()] : [];
  return [
    ...loader,
    entry,
    `--owner-pid=${owner.pid}`,
    `--owner-start=${owner.startTicks}`,
    `--owner-boot=${owner.bootId}`,
    `--owner-pidns=${owner.pidNamespace}`,
    `--owner-machine=${owner.machine}`,
  ];
}

function spawnWatchdog(owner: ProcessIdentity): ChildProcess {
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, watchdogArgv(owner), {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      cwd: '/',
      env: process.env,
    });
  } catch (error) {
    throw new DockerError(
      'WATCHDOG_FAILED',
      `Cannot start the watchdog that removes this process's Docker resources after it ends: ${(error as Error).message}.`,
      {
        cause: error,
        fix: `set ${WATCHDOG_ENV}=off to do without it (then run otto docker clean).`,
      },
    );
  }
  // Its failure to start, or its end, must never reach the owner: the next sweep catches up.
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

/** The watchdog's entry: `.ts` beside this file when running from the sources, else `.js`. */
function watchdogEntry(): string {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const entry = fileURLToPath(new URL(`./watchdog-main.${extension}`, import.meta.url));
  if (!existsSync(entry))
    throw new DockerError(
      'WATCHDOG_FAILED',
      `Cannot start the watchdog that removes this process's Docker resources after it ends: ${entry} is missing.`,
      { fix: `reinstall otto-ts, or set ${WATCHDOG_ENV}=off to do without it.` },
    );
  return entry;
}

/** tsx's loader, resolved from here so that the watchdog does not depend on its working folder. */
function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}
