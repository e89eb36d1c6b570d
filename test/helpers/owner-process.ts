import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import type { EngineClient } from '../../src/docker/engine/engine-client.js';
import type { OwnerPlan, OwnerReport } from './resource-owner.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OWNER_SCRIPT = fileURLToPath(new URL('./resource-owner.ts', import.meta.url));

/** A running `resource-owner.ts` process and what it created. */
export interface OwnerProcess {
  child: ChildProcess;
  report: OwnerReport;
  /** Resolves with the exit code (or 128 + signal) when the process has ended. */
  exited: Promise<number>;
}

/**
 * Starts a process that creates resources through the library (see `resource-owner.ts`) and
 * resolves once it printed what it made; rejects with its stderr if it ends first.
 */
export async function startOwnerProcess(
  plan: OwnerPlan,
  env: NodeJS.ProcessEnv = {},
): Promise<OwnerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', OWNER_SCRIPT, JSON.stringify(plan)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 128))),
  );
  // A test that fails before killing it must not leave it running.
  try {
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  } catch {
    // not inside a test (the benchmark): the caller kills it
  }
  const lines = createInterface({ input: child.stdout });
  const report = await new Promise<OwnerReport>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as OwnerReport));
    void exited.then((code) => reject(new Error(`owner exited with ${code}: ${stderr}`)));
  });
  return { child, report, exited };
}

/** Which of an owner's resources still exist on the engine. */
export async function remainingOf(
  engine: EngineClient,
  report: OwnerReport,
): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const exists = async (path: string) =>
    engine.json({ method: 'GET', path }).then(
      () => true,
      () => false,
    );
  const keep = async (ids: string[], path: (id: string) => string) =>
    (await Promise.all(ids.map(async (id) => ((await exists(path(id))) ? id : '')))).filter(
      Boolean,
    );
  return {
    containers: await keep(report.containers, (id) => `/containers/${id}/json`),
    networks: await keep(report.networks, (id) => `/networks/${id}`),
    volumes: await keep(report.volumes, (id) => `/volumes/${id}`),
  };
}

/** True while a process with that pid runs the watchdog entry. */
export function isWatchdogRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('watchdog-main');
  } catch {
    return false;
  }
}

/** Resources made without our labels ("foreign"), by raw Engine API calls. */
export async function createForeignResources(
  engine: EngineClient,
  prefix: string,
): Promise<{ container: string; network: string; volume: string }> {
  const container = await engine.json<{ Id: string }>({
    method: 'POST',
    path: '/containers/create',
    query: { name: `${prefix}-foreign-c` },
    body: { Image: 'otto/busybox:latest', Cmd: ['sleep', '600'], Labels: { 'other.tool': 'yes' } },
    okStatus: [201],
  });
  await engine.json({ method: 'POST', path: `/containers/${container.Id}/start` });
  const network = await engine.json<{ Id: string }>({
    method: 'POST',
    path: '/networks/create',
    body: { Name: `${prefix}-foreign-n`, Labels: { 'otto.owner': 'someone-else' } },
    okStatus: [201],
  });
  const volume = await engine.json<{ Name: string }>({
    method: 'POST',
    path: '/volumes/create',
    body: { Name: `${prefix}-foreign-v` },
    okStatus: [201],
  });
  return { container: container.Id, network: network.Id, volume: volume.Name };
}

/** Removes resources by id, whoever made them (the tests' own cleanup); missing ones are fine. */
export async function removeByIds(
  engine: EngineClient,
  ids: { containers?: string[]; networks?: string[]; volumes?: string[] },
): Promise<void> {
  const remove = (path: string, query?: Record<string, boolean>) =>
    engine.json({ method: 'DELETE', path, query }).catch(() => undefined);
  await Promise.all(
    (ids.containers ?? []).map((id) => remove(`/containers/${id}`, { force: true, v: true })),
  );
  await Promise.all((ids.networks ?? []).map((id) => remove(`/networks/${id}`)));
  await Promise.all((ids.volumes ?? []).map((id) => remove(`/volumes/${id}`)));
}
