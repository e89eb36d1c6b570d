import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '../../src/common/child-process.js';
import { waitUntil } from '../../src/common/deadline.js';
import { engineStatusOf } from '../../src/docker/engine/engine-client.js';
import { engine } from '../helpers/engine.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The Docker fixtures of otto-ts/playwright under Playwright Test: the example project (seed
 * 003's environment on the local busybox image) with otto-ts and @playwright/test installed as
 * packages (links to this checkout), run by `playwright test` in two worker processes, its
 * results read from Playwright's JSON report and from what the tests recorded. No browser runs.
 */

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = fileURLToPath(new URL('../fixtures/docker-fixtures-playwright', import.meta.url));
const PLAYWRIGHT = join(PACKAGE_ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const LABEL = 'otto.example=docker-fixtures-playwright';
/** The run's own watchdogs remove run-wide resources once the run ended: 25 s at most. */
const REAPED_WITHIN_MS = 30_000;

interface Seen {
  file: string;
  title: string;
  pid: number;
  ids: Record<string, string>;
}

interface TestResult {
  title: string;
  status: string;
  workerIndex: number;
  errors: string[];
  attachments: Array<{ name: string; body?: string }>;
  stderr: string;
}

interface JsonSuite {
  specs: Array<{
    title: string;
    tests: Array<{
      results: Array<{
        status: string;
        workerIndex: number;
        errors: Array<{ message?: string }>;
        attachments: Array<{ name: string; body?: string }>;
        stderr: Array<{ text?: string }>;
      }>;
    }>;
  }>;
  suites?: JsonSuite[];
}

let base: string;
let root: string;
const kept = new Set<string>();
beforeAll(async () => {
  base = await makeTempDir('otto-fixtures-playwright-');
  root = join(base, 'project');
  await cp(PROJECT, root, { recursive: true });
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  await mkdir(join(root, 'node_modules', '@playwright'), { recursive: true });
  await symlink(PACKAGE_ROOT, join(root, 'node_modules', 'otto-ts'));
  await symlink(
    join(PACKAGE_ROOT, 'node_modules', '@playwright', 'test'),
    join(root, 'node_modules', '@playwright', 'test'),
  );
});
afterAll(async () => {
  // Kept by the adapter, unless it failed to keep them.
  for (const name of kept)
    await engine
      .json({ method: 'DELETE', path: `/containers/${name}`, query: { force: true } })
      .catch((error: unknown) => {
        if (engineStatusOf(error) !== 404) throw error;
      });
});

/** `playwright test` on the project's files; its tests from the JSON report, and the records. */
async function runProject(filters: string[], args: string[] = []) {
  const recordDir = await mkdtemp(join(base, 'run-'));
  const reportPath = join(recordDir, 'report.json');
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')),
  );
  const startedAt = Date.now();
  const result = await runChild(
    process.execPath,
    [PLAYWRIGHT, 'test', ...filters, '--reporter=json', ...args],
    {
      cwd: root,
      env: {
        ...childEnv,
        FIXTURES_RECORD_DIR: recordDir,
        PLAYWRIGHT_JSON_OUTPUT_FILE: reportPath,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
      check: false,
    },
  );
  const durationMs = Date.now() - startedAt;
  const report = JSON.parse(await readFile(reportPath, 'utf8')) as { suites: JsonSuite[] };
  const tests = report.suites.flatMap(testsOf);
  const records = (await readFile(join(recordDir, 'records.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Seen);
  // What each worker's fixtures left once torn down, before its watchdog could reap anything.
  const audits = await Promise.all(
    (await readdir(recordDir))
      .filter((name) => name.startsWith('left-'))
      .map(async (name) => JSON.parse(await readFile(join(recordDir, name), 'utf8')) as string[]),
  );
  const byTitle = (title: string) => tests.find((test) => test.title === title);
  const problems = tests.flatMap((test) => test.errors.map((error) => `${test.title}: ${error}`));
  const output = [result.stdout, result.stderr, ...problems].join('\n');
  return { ...result, durationMs, tests, records, audits, byTitle, output };
}

function testsOf(suite: JsonSuite): TestResult[] {
  const own = suite.specs.flatMap((spec) =>
    spec.tests.flatMap((test) =>
      test.results.map((result) => ({
        title: spec.title,
        status: result.status,
        workerIndex: result.workerIndex,
        errors: result.errors.map((error) => withoutColours(error.message ?? '')),
        attachments: result.attachments.map(({ name, body }) => ({
          name,
          body: body === undefined ? undefined : Buffer.from(body, 'base64').toString(),
        })),
        stderr: result.stderr.map((chunk) => chunk.text ?? '').join(''),
      })),
    ),
  );
  return [...own, ...(suite.suites ?? []).flatMap(testsOf)];
}

/** The matchers colour their messages whatever the environment says. */
function withoutColours(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching ANSI escapes is the point
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Containers, networks and volumes of the project still in the engine, but the kept ones. */
async function leftovers(): Promise<string[]> {
  const query = { all: true, filters: JSON.stringify({ label: [LABEL] }) };
  const get = <T>(path: string) => engine.json<T>({ method: 'GET', path, query });
  const containers = await get<Array<{ Names: string[] }>>('/containers/json');
  const networks = await get<Array<{ Name: string }>>('/networks');
  const volumes = await get<{ Volumes: Array<{ Name: string }> | null }>('/volumes');
  return [
    ...containers
      .map((found) => found.Names[0]!.slice(1))
      .filter((name) => !kept.has(name))
      .map((name) => `container ${name}`),
    ...networks.map((found) => `network ${found.Name}`),
    ...(volumes.Volumes ?? []).map((found) => `volume ${found.Name}`),
  ];
}

/**
 * What is still there once the run's watchdogs had their time (they remove run-wide resources
 * when the run ends): nothing, if all went well.
 */
async function leftoversAfterRun(): Promise<string[]> {
  let last: string[] = [];
  await waitUntil(async () => ((last = await leftovers()).length === 0 ? true : undefined), {
    timeoutMs: REAPED_WITHIN_MS,
    intervalMs: 200,
    what: 'the project to leave nothing',
  }).catch(() => undefined);
  return last;
}

/** Waits until no watchdog of these owner processes runs: what they reap is gone by then. */
async function waitForWatchdogsOf(pids: number[]): Promise<void> {
  const marks = pids.map((pid) => `--owner-pid=${pid}\0`);
  await waitUntil(
    async () => {
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
        if (argv.includes('watchdog-main') && marks.some((mark) => argv.includes(mark)))
          return undefined;
      }
      return true;
    },
    {
      timeoutMs: REAPED_WITHIN_MS,
      intervalMs: 200,
      what: `the watchdogs of ${pids.join(', ')} to end`,
    },
  );
}

const pidsOf = (records: Seen[]) => [...new Set(records.map((seen) => seen.pid))];
const distinct = (values: unknown[]) => new Set(values).size;

/** How many instances of a fixture each group of tests saw, group by group. */
function instancesPer(records: Seen[], fixture: string, groupOf: (seen: Seen) => string): number[] {
  const groups = new Map<string, Set<string | undefined>>();
  for (const seen of records) {
    const group = groups.get(groupOf(seen)) ?? new Set();
    groups.set(groupOf(seen), group.add(seen.ids[fixture]));
  }
  return [...groups.values()].map((ids) => ids.size);
}

describe('Docker fixtures under Playwright Test', () => {
  it('sets up seed 003 environment, and a file override shares the worker of the others', async () => {
    const run = await runProject(['seed', 'override'], ['--workers=1']);
    expect(
      run.tests.map((test) => [test.title, test.status]),
      run.output,
    ).toEqual([
      ['the overridden value reaches the container that uses it', 'passed'],
      ['a container with a published port is ready when the test starts', 'passed'],
      ['works again after a restart', 'passed'],
      ['a seeded volume on an internal network', 'passed'],
    ]);
    // An override of a test fixture changes no worker fixture: no second worker process.
    expect(distinct(run.tests.map((test) => test.workerIndex))).toBe(1);
    expect(run.exitCode).toBe(0);
    expect(run.audits).toEqual([[]]);
    expect(await leftoversAfterRun()).toEqual([]);
  });

  it('gives each test its own container, each worker one, each file one per worker, and the run one', async () => {
    const run = await runProject(['scopes-']);
    expect(
      run.tests.map((test) => test.status),
      run.output,
    ).toEqual(Array(6).fill('passed'));
    const { records } = run;
    expect(records).toHaveLength(6);
    expect(pidsOf(records)).toHaveLength(2);
    expect(instancesPer(records, 'web', (seen) => seen.title)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(distinct(records.map((seen) => seen.ids.web))).toBe(6);
    expect(instancesPer(records, 'perWorker', (seen) => String(seen.pid))).toEqual([1, 1]);
    expect(distinct(records.map((seen) => seen.ids.perWorker))).toBe(2);
    expect(instancesPer(records, 'perFile', (seen) => `${seen.pid} ${seen.file}`)).toEqual([
      1, 1, 1,
    ]);
    expect(distinct(records.map((seen) => seen.ids.perFile))).toBe(3);
    // One worker ran two files: its second file's tests checked that the first's instance was gone.
    expect(instancesPer(records, 'perFile', (seen) => String(seen.pid)).sort()).toEqual([1, 2]);
    // Run-wide: ONE container for both workers.
    expect(distinct(records.map((seen) => seen.ids.perRun))).toBe(1);
    expect(run.exitCode).toBe(0);
    // Each worker removed its own, file fixtures included, before it ended.
    expect(run.audits).toEqual([[], []]);
    expect(await leftoversAfterRun()).toEqual([]);
  });

  it('attaches the logs of the containers a failed test used, and keeps its keepOnFailure one', async () => {
    const run = await runProject(['failing']);
    const failing = run.records[1];
    if (failing?.ids.kept) kept.add(failing.ids.kept);
    expect(
      run.tests.map((test) => [test.title, test.status]),
      run.output,
    ).toEqual([
      ['passes and keeps nothing', 'passed'],
      ['fails with the logs of its containers attached', 'failed'],
    ]);
    expect(run.exitCode).toBe(1);
    const failed = run.byTitle('fails with the logs of its containers attached')!;
    const ids = failing!.ids as { web: string; perFile: string; perWorker: string; kept: string };
    expect(failed.errors.map((error) => error.split('\n').slice(0, 4).join('\n'))).toEqual([
      `Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: "not its name"\nReceived: "${ids.web}"`,
    ]);
    const logs = failed.attachments.filter((attachment) => attachment.name.startsWith('logs of '));
    expect(logs).toEqual([
      { name: `logs of fixture kept (container ${ids.kept})`, body: 'kept for debugging' },
      { name: `logs of fixture perFile (container ${ids.perFile})`, body: '(empty)' },
      { name: `logs of fixture web (container ${ids.web})`, body: 'web serves hello' },
      { name: `logs of fixture perWorker (container ${ids.perWorker})`, body: '(empty)' },
    ]);
    expect(failed.stderr).toBe(
      `otto-ts: kept container ${ids.kept} of fixture kept after the failed test "fails with the logs of its containers attached", for debugging; docker rm -f ${ids.kept} removes it.\n`,
    );
    expect(run.audits).toEqual([[`container ${ids.kept}`]]);
    const pids = pidsOf(run.records);
    expect(await leftoversAfterRun()).toEqual([]);
    // Kept for debugging: still running once the worker and its watchdog are gone.
    await waitForWatchdogsOf(pids);
    const state = await engine
      .json<{ State: { Running: boolean } }>({
        method: 'GET',
        path: `/containers/${ids.kept}/json`,
      })
      .then((inspected) => (inspected.State.Running ? 'running' : 'stopped'))
      .catch((error: Error) => error.message.split('\n')[0]);
    expect(state).toBe('running');
  });
});
