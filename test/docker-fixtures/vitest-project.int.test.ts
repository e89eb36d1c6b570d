import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '../../src/common/child-process.js';
import { waitUntil } from '../../src/common/deadline.js';
import { engine } from '../helpers/engine.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The Docker fixtures of otto-ts/vitest under plain Vitest: the example project (seed 003's
 * environment on the local busybox image) with otto-ts installed as a package (a link to this
 * checkout), run by `vitest run` in two worker processes.
 */

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = fileURLToPath(new URL('../fixtures/docker-fixtures-project', import.meta.url));
const VITEST = join(PACKAGE_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const PROJECT_LABEL = `vitest-${process.pid}`;

interface AssertionResult {
  title: string;
  status: string;
  failureMessages: string[];
  meta?: unknown;
}

let base: string;
let root: string;
beforeAll(async () => {
  base = await makeTempDir('otto-fixtures-vitest-');
  root = join(base, 'project');
  await cp(PROJECT, root, { recursive: true });
  await mkdir(join(root, 'node_modules'));
  await symlink(PACKAGE_ROOT, join(root, 'node_modules', 'otto-ts'));
});

/** `vitest run` on the project's files; the results of its tests from Vitest's JSON report. */
async function runProject(files: string[], env: Record<string, string> = {}) {
  const reportPath = join(base, `report-${Date.now()}.json`);
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')),
  );
  const result = await runChild(
    process.execPath,
    [
      VITEST,
      'run',
      ...files,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportPath}`,
    ],
    {
      cwd: root,
      env: {
        ...childEnv,
        FIXTURES_RECORD_DIR: base,
        FIXTURES_PROJECT: PROJECT_LABEL,
        NO_COLOR: '1',
        ...env,
      },
      check: false,
    },
  );
  const report = JSON.parse(await readFile(reportPath, 'utf8')) as {
    testResults: Array<{ name: string; assertionResults: AssertionResult[] }>;
  };
  const tests = report.testResults.flatMap((file) => file.assertionResults);
  return {
    ...result,
    tests,
    byTitle: (title: string) => tests.find((test) => test.title === title),
  };
}

/** The containers, networks and volumes the project's runs made, still in the engine. */
async function leftovers(): Promise<string[]> {
  const filters = JSON.stringify({ label: [`otto-test.project=${PROJECT_LABEL}`] });
  const names: string[] = [];
  for (const kind of ['containers', 'networks', 'volumes'] as const) {
    const listed = await engine.json<unknown>({
      method: 'GET',
      path: kind === 'containers' ? '/containers/json' : `/${kind}`,
      query: { all: true, filters },
    });
    const items =
      kind === 'volumes'
        ? ((listed as { Volumes: unknown[] }).Volumes ?? [])
        : (listed as unknown[]);
    for (const item of items as Array<{ Names?: string[]; Name?: string }>)
      names.push(`${kind}: ${item.Names?.[0] ?? item.Name}`);
  }
  return names;
}

/** Waits until the project's runs left nothing (run-wide ones go once the run has ended). */
async function expectNothingLeft(): Promise<void> {
  await waitUntil(async () => ((await leftovers()).length === 0 ? true : undefined), {
    timeoutMs: 20_000,
    what: 'the fixtures of the project to be removed',
  }).catch(async () => expect(await leftovers()).toEqual([]));
}

describe('Docker fixtures under plain Vitest', () => {
  it('set up seed 003 environment: ports, restart, a seeded volume on an internal network', async () => {
    const run = await runProject(['tests/seed.test.ts']);
    expect(
      run.tests.map((test) => [test.title, test.status]),
      run.stdout + run.stderr,
    ).toEqual([
      ['a container with a published port is ready when the test starts', 'passed'],
      ['works again after a restart', 'passed'],
      ['a seeded volume on an internal network', 'passed'],
    ]);
    expect(run.exitCode).toBe(0);
    await expectNothingLeft();
  });

  it('lets a file override a value, and the container using it follows', async () => {
    const run = await runProject(['tests/override.test.ts']);
    expect(
      run.tests.map((test) => [test.title, test.status]),
      run.stdout + run.stderr,
    ).toEqual([['the overridden value reaches the container that uses it', 'passed']]);
  });

  it('runs tests once per variant of a fixture', async () => {
    const run = await runProject(['tests/variants.test.ts']);
    expect(
      run.tests.map((test) => [test.title, test.status]),
      run.stdout + run.stderr,
    ).toEqual([
      ['serves the english greeting', 'passed'],
      ['serves the german greeting', 'passed'],
    ]);
  });

  it('reports every problem of a declaration set at once, with where each was declared', async () => {
    const run = await runProject(['tests/bad-declarations.test.ts']);
    expect(run.exitCode).toBe(1);
    const output = run.stdout + run.stderr;
    expect(output).toContain('FixtureError: The fixture declarations have 3 problems:');
    expect(output).toMatch(
      /"api" at tests\/bad-declarations\.test\.ts:6:8 refers to "\{busyboxx\.id\}" in image, but no fixture is named "busyboxx"; closest: "busybox"\./,
    );
    expect(output).toMatch(
      /The fixtures form a cycle: "first" \(tests\/bad-declarations\.test\.ts:7:10\) → "second" \(tests\/bad-declarations\.test\.ts:8:11\) → "first"\./,
    );
    expect(output).toMatch(
      /The worker fixture "shared" at tests\/bad-declarations\.test\.ts:10:11 uses the test fixture "net" in networks\[0\]: a fixture may use only fixtures that live at least as long\./,
    );
  });

  it('gives each test its own container, each file one, and the whole run one across workers', async () => {
    const run = await runProject(['tests/scopes-a.test.ts', 'tests/scopes-b.test.ts']);
    expect(
      run.tests.map((test) => test.status),
      run.stdout + run.stderr,
    ).toEqual(['passed', 'passed', 'passed', 'passed']);
    const runIds = (await readFile(join(base, 'run-ids.txt'), 'utf8')).trim().split('\n');
    expect(runIds).toHaveLength(4);
    expect(new Set(runIds).size).toBe(1);
    await expectNothingLeft();
  });

  it('attaches the logs of every container a failed test used to its report', async () => {
    const run = await runProject(['tests/failing.test.ts']);
    const failed = run.byTitle('fails with the logs of its containers attached');
    expect(failed?.status, run.stdout + run.stderr).toBe('failed');
    expect(run.exitCode).toBe(1);
    const logs = (failed?.meta as { dockerLogs?: Record<string, string> }).dockerLogs ?? {};
    expect(Object.keys(logs).sort()).toEqual([
      expect.stringMatching(/^logs of fixture perFile \(container [\w-]+\)$/),
      expect.stringMatching(/^logs of fixture web \(container [\w-]+\)$/),
    ]);
    expect(Object.values(logs)).toContain('web serves hello');
    // The reporters show them with the test, as its console output.
    expect(run.stdout + run.stderr).toMatch(
      /logs of fixture web \(container [\w-]+\):\nweb serves hello/,
    );
    await expectNothingLeft();
  });
});
