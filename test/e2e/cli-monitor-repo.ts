import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import { waitUntil } from '../../src/common/deadline.js';
import { MonitorStore } from '../../src/monitor/store/monitor-store.js';
import { engine } from '../helpers/engine.js';
export { descendantsOf } from '../helpers/descendants.js';
import { OTTO_BIN, runCli, type CliResult } from '../helpers/run-cli.js';
import { startSshTestbed, type SshTestbed } from '../helpers/ssh-testbed.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/**
 * What the `otto monitor` end-to-end tests share: a temporary repo whose lab `main` is the SSH
 * test bed's `direct` server (`box`), with suites to run monitored; the built CLI run on it, to the
 * end or left running; and the reading of a recorded database.
 */

/** The test bed and the repo of one test file; `stop()` removes the test bed. */
export interface MonitorTestRepo {
  testbed: SshTestbed;
  repo: TempRepo;
  /** `otto -l <labs> <args>` in the repo, to its end; labs `main` unless given. */
  otto(args: string[], timeoutMs?: number, labs?: string): Promise<CliResult>;
  /** `otto <args>` in the repo, left running. */
  spawn(args: string[]): RunningOtto;
  /** The command lines of the processes running in box's container. */
  processesOnBox(): Promise<string[]>;
  stop(): Promise<void>;
}

/** One test passing (and marking an event from the worker), one failing, one failing softly. */
const MONITORED_SUITE = `
import { defineSuite } from 'otto-ts';
export default defineSuite({ name: 'Monitored', timeout: 20_000 }, (t) => {
  t.test('passes', async ({ host }) => {
    await t.addMonitorEvent('from the test', { color: '#1f77b4' });
    t.expect((await host('box').run('true')).ok, 'box answers');
  });
  t.test('fails', () => {
    throw new Error('on purpose');
  });
  t.test('fails softly', () => {
    t.expect(false, 'a soft failure');
  });
});
`;

/** A suite with a monitor of its own, never stopped by the suite: otto stops it after its hooks. */
const OWN_MONITOR_SUITE = `
import { defineSuite } from 'otto-ts';
export default defineSuite({ name: 'OwnMonitor', timeout: 20_000 }, (t) => {
  t.beforeAll(() => t.startMonitor({ intervalMs: 500 }));
  t.test('passes', async ({ host }) => {
    t.expect((await host('box').run('sleep 0.6')).ok, 'box answers');
  });
  t.test('fails', () => {
    t.expect(false, 'on purpose');
  });
});
`;

/**
 * The test file's repo: started before its tests (the test bed, and the repo's folder, which goes
 * when the file ends), stopped after them. Read its members inside tests only.
 */
export function useMonitorTestRepo(): MonitorTestRepo {
  let started: MonitorTestRepo | undefined;
  beforeAll(async () => {
    started = await startMonitorTestRepo();
  }, 180_000);
  afterAll(() => started?.stop(), 60_000);
  const get = () => started ?? notStarted();
  return {
    get testbed() {
      return get().testbed;
    },
    get repo() {
      return get().repo;
    },
    otto: (args, timeoutMs, labs) => get().otto(args, timeoutMs, labs),
    spawn: (args) => get().spawn(args),
    processesOnBox: () => get().processesOnBox(),
    stop: () => get().stop(),
  };
}

function notStarted(): never {
  throw new Error('the monitor test repo is started in beforeAll: use it inside tests');
}

/** The password of lab host `badpass`: wrong, and never to be shown. */
export const WRONG_PASSWORD = 'Wr0ng-S3cret-pw';

/** Starts the test bed and writes the repo. */
async function startMonitorTestRepo(): Promise<MonitorTestRepo> {
  const testbed = await startSshTestbed(['direct']);
  const direct = testbed.server('direct');
  const repo = await makeTempRepo({
    settings: `tests = ["tests"]\n[host_defaults.ssh_options]\nknown_hosts = "${testbed.newKnownHostsPath()}"\n`,
    files: {
      'tests/monitored.test.ts': MONITORED_SUITE,
      'tests/own-monitor.test.ts': OWN_MONITOR_SUITE,
    },
    hosts: [
      {
        id: 'box',
        ip: direct.host,
        port: direct.port,
        ne: 'box',
        creds: { otto: '' },
        key: testbed.keys.privateKeyPath,
        labs: ['main'],
      },
      {
        // The same server with a wrong password and no key: it never logs in.
        id: 'badpass',
        ip: direct.host,
        port: direct.port,
        ne: 'badpass',
        creds: { otto: WRONG_PASSWORD },
        labs: ['wrong'],
      },
    ],
  });
  return {
    testbed,
    repo,
    otto: (args, timeoutMs = 60_000, labs = 'main') =>
      runCli(['-l', labs, ...args], { env: repo.env, cwd: repo.base, timeoutMs }),
    spawn: (args) => new RunningOtto(args, repo),
    processesOnBox: async () => {
      const top = await engine.json<{ Processes: string[][] }>({
        method: 'GET',
        path: `/containers/${direct.container.id}/top`,
        query: { ps_args: '-eo pid,args' },
      });
      return top.Processes.map((row) => row.at(-1)!);
    },
    stop: () => testbed.stop(),
  };
}

/** A CLI result as a failed assertion shows it. */
export function shown(result: CliResult): string {
  return `exit ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** What a recorded database holds, read as a replay would. */
export async function readDb(path: string) {
  using store = await MonitorStore.open(path, { mode: 'read' });
  return {
    info: store.info(),
    hosts: store.hosts(),
    series: store.series(),
    events: store.events(),
    data: store.hosts().map((host) => store.readData({ host })),
  };
}

/** An `otto` process left running, its output collected, its `dashboard:` line awaited. */
export class RunningOtto {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: string[], repo: TempRepo) {
    this.child = spawn(process.execPath, [OTTO_BIN, ...args], {
      cwd: repo.base,
      env: { ...process.env, ...repo.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  /** The dashboard's URL, once printed. */
  dashboard(): Promise<string> {
    return waitUntil(() => Promise.resolve(/^dashboard: (\S+)$/m.exec(this.stdout)?.[1]), {
      timeoutMs: 30_000,
      what: `the dashboard line of otto (stderr so far: ${this.stderr})`,
    });
  }

  /** Kills it if it still runs (a test's cleanup). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** The JSON of a GET that must answer 200. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
}
