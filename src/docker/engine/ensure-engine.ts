import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectionError, OttoError, tailLines } from '../../errors.js';
import { findProgram } from '../../common/child-process.js';
import { waitUntil } from '../../common/deadline.js';
import { ensurePrograms, isDebianLike } from '../../common/system-packages.js';
import type { ProgressListener } from '../../common/progress.js';
import { EngineClient } from './engine-client.js';

/** Options of {@link ensureEngine}. */
export interface EnsureEngineOptions {
  /** The engine to make sure of. @default the one DOCKER_HOST or the default socket names */
  engine?: EngineClient;
  /** Where the started daemon writes its log. @default /var/log/otto-ts/dockerd.log */
  logPath?: string;
  /** How long to wait for a started daemon to answer. @default 60000 */
  startTimeoutMs?: number;
  /** Receives a line per step (installing, starting, waiting). @default none */
  onProgress?: ProgressListener;
}

/** What {@link ensureEngine} found or did. */
export interface EngineStatus {
  /** The engine's endpoint as people write it, e.g. `unix:///var/run/docker.sock`. */
  endpoint: string;
  /** The engine's release, e.g. `20.10.24`. */
  version: string;
  /** The newest API version it speaks, e.g. `1.41`. */
  apiVersion: string;
  /** True when the engine already answered and nothing was done. */
  wasRunning: boolean;
  /** Debian packages installed on the way (empty when none). */
  installed: string[];
  /** The started daemon's log file; undefined when the engine was already running. */
  logPath?: string;
}

const SUBJECT = 'engine';
const DEFAULT_LOG_PATH = '/var/log/otto-ts/dockerd.log';
/** Where dockerd keeps its pid by default. */
const PID_FILE = '/var/run/docker.pid';

/**
 * Makes sure a Docker engine answers. Idempotent: when one answers, nothing happens. Otherwise,
 * on Debian as root and for the local socket only, installs Debian's `docker.io` (and its compose
 * CLI) when missing, starts `dockerd` in the background with its log in a file and waits, bounded,
 * until `/_ping` answers. Anywhere else it says what to install or start.
 * @example const status = await ensureEngine(); // { wasRunning: true, version: '20.10.24', ... }
 */
export async function ensureEngine(options: EnsureEngineOptions = {}): Promise<EngineStatus> {
  const engine = options.engine ?? EngineClient.fromEnvironment();
  const report = (message: string): void =>
    options.onProgress?.({ subject: SUBJECT, phase: 'ensure', message });
  if (await engine.ping()) return describe(engine, { wasRunning: true, installed: [] });
  if (engine.endpoint.kind !== 'unix') throw remoteEngineDown(engine);
  await requireLocalRootOnDebian(engine);
  const installed = await installEngine(options.onProgress);
  const logPath = options.logPath ?? DEFAULT_LOG_PATH;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  await clearStalePidFile(report, timeoutMs);
  report(`starting dockerd (log: ${logPath})`);
  const daemon = await startDaemon(engine.endpoint.socketPath!, logPath);
  const outcome = await waitUntil(
    async () => {
      if (await engine.ping()) return 'answered';
      // A daemon that exited will never answer: say why now, not after the whole wait.
      return daemon.exitCode === null ? undefined : 'exited';
    },
    {
      timeoutMs,
      intervalMs: 200,
      what: `dockerd to answer at ${engine.endpoint.url} (log: ${logPath})`,
    },
  );
  if (outcome === 'exited') throw daemonExited(daemon.exitCode ?? 1, logPath);
  return describe(engine, { wasRunning: false, installed, logPath });
}

async function describe(
  engine: EngineClient,
  status: Omit<EngineStatus, 'endpoint' | 'version' | 'apiVersion'>,
): Promise<EngineStatus> {
  const version = await engine.version();
  return {
    endpoint: engine.endpoint.url,
    version: version.version,
    apiVersion: version.apiVersion,
    ...status,
  };
}

async function installEngine(onProgress?: ProgressListener): Promise<string[]> {
  const before = await Promise.all(['dockerd', 'docker-compose'].map((name) => findProgram(name)));
  await ensurePrograms(
    [
      { program: 'dockerd', debianPackage: 'docker.io', purpose: 'to run containers' },
      {
        program: 'docker-compose',
        debianPackage: 'docker-compose',
        purpose: 'to run compose stacks',
      },
    ],
    onProgress,
  );
  return [before[0] ? undefined : 'docker.io', before[1] ? undefined : 'docker-compose'].filter(
    (name): name is string => !!name,
  );
}

/**
 * dockerd refuses to start while `/var/run/docker.pid` exists. A daemon still shutting down (a
 * stop just before) is waited for; a file left by one that was killed is removed.
 */
async function clearStalePidFile(report: (message: string) => void, timeoutMs: number) {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (isRunning(pid)) {
    report(`waiting for the dockerd that is shutting down (pid ${pid})`);
    await waitUntil(() => Promise.resolve(isRunning(pid) ? undefined : true), {
      timeoutMs,
      intervalMs: 200,
      what: `the dockerd that is shutting down (pid ${pid}) to exit`,
    });
  }
  rmSync(PID_FILE, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function daemonExited(exitCode: number, logPath: string): OttoError {
  const tail = existsSync(logPath) ? tailLines(readFileSync(logPath, 'utf8'), 5) : '';
  return new OttoError(
    'ENGINE_START_FAILED',
    `dockerd exited with code ${exitCode} before it answered (log: ${logPath}).`,
    { host: 'local', outputTail: tail || undefined },
  );
}

/** Starts dockerd detached from this process, so that it outlives it, with output to `logPath`. */
async function startDaemon(socketPath: string, logPath: string): Promise<ChildProcess> {
  const dockerd = await findProgram('dockerd');
  mkdirSync(dirname(logPath), { recursive: true });
  const log = openSync(logPath, 'a');
  const child = spawn(dockerd!, ['--host', `unix://${socketPath}`], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(
        new OttoError(
          'ENGINE_START_FAILED',
          `Could not start dockerd on this machine: ${error.message}.`,
          { host: 'local', cause: error },
        ),
      ),
    );
    child.once('spawn', () => resolve());
  });
  child.unref();
  return child;
}

async function requireLocalRootOnDebian(engine: EngineClient): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && (await isDebianLike())) return;
  throw new ConnectionError(
    'ENGINE_UNREACHABLE',
    `No Docker engine answers at ${engine.endpoint.url}, and otto-ts can start one only as root on Debian.`,
    {
      transport: engine.endpoint.url,
      fix: isRoot
        ? "install and start a Docker engine (Debian/Ubuntu: apt-get install docker.io; elsewhere: your distribution's docker package), or set DOCKER_HOST."
        : 'start the engine (e.g. `sudo systemctl start docker`), run `sudo otto engine ensure`, or set DOCKER_HOST to an engine you can reach.',
    },
  );
}

function remoteEngineDown(engine: EngineClient): ConnectionError {
  return new ConnectionError(
    'ENGINE_UNREACHABLE',
    `No Docker engine answers at ${engine.endpoint.url} (from DOCKER_HOST); otto-ts starts only a local engine.`,
    {
      transport: engine.endpoint.url,
      fix: 'start the engine on that machine, or unset DOCKER_HOST to use the local one.',
    },
  );
}
