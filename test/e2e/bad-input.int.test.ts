import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { startSshTestbed, type SshTestbed } from '../helpers/ssh-testbed.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import type { BadInputCase, BadInputContext, PerCase } from './bad-input/case.js';
import { CLI_CASES } from './bad-input/cli-cases.js';
import { DOCKER_CASES } from './bad-input/docker-cases.js';
import { LAB_CASES } from './bad-input/lab-cases.js';
import { SUITE_CASES } from './bad-input/suite-cases.js';

/**
 * The table of bad inputs (bad-input/*-cases.ts): each case runs the built `otto` in a repo of
 * its own and checks the exit code, the whole first line of stderr, and that no stack trace, no
 * "unexpected error" and no secret shows on stdout, stderr or in otto.log.
 */

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

let testbed: SshTestbed | undefined;
let closedPort: number | undefined;
afterAll(() => testbed?.stop(), 60_000);

async function contextFor(testCase: BadInputCase): Promise<BadInputContext> {
  closedPort ??= await findClosedPort();
  if (testCase.needsSsh && !testbed) testbed = await startSshTestbed(['direct']);
  const direct = testbed?.server('direct');
  return {
    closedPort,
    ssh: {
      host: direct?.host ?? '127.0.0.1',
      port: direct?.port ?? closedPort,
      username: 'otto',
      password: 'otto',
      keyPath: testbed?.keys.privateKeyPath ?? '/nonexistent',
    },
  };
}

/** A loopback port that was free a moment ago (nothing listens on it). */
async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function valueOf<T>(value: PerCase<T>, repo: TempRepo, context: BadInputContext): T {
  return typeof value === 'function'
    ? (value as (repo: TempRepo, context: BadInputContext) => T)(repo, context)
    : value;
}

/** Every otto.log under `dir`, joined. */
async function readLogs(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const logs = entries.filter((entry) => entry.isFile() && entry.name === 'otto.log');
  const texts = await Promise.all(
    logs.map((entry) => readFile(join(entry.parentPath, entry.name), 'utf8')),
  );
  return texts.join('\n');
}

async function runCase(testCase: BadInputCase): Promise<void> {
  const context = await contextFor(testCase);
  // Files and hosts may depend on the repo's paths: make the repo, then write them into it.
  const draft = await makeTempRepo({ settings: testCase.settings });
  const repo = await makeTempRepo({
    settings: testCase.settings,
    hosts: testCase.hosts === undefined ? undefined : valueOf(testCase.hosts, draft, context),
    files: testCase.files ? valueOf(testCase.files, draft, context) : undefined,
    base: draft.base,
  });
  await testCase.prepare?.(repo, context);
  const result = await runCli(valueOf(testCase.args, repo, context), {
    cwd: repo.root,
    env: { ...repo.env, ...(testCase.env ? valueOf(testCase.env, repo, context) : {}) },
  });
  const log = await readLogs(repo.xdir);
  const firstLine = result.stderr.split('\n')[0];
  const shown = `exit ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
  expect(result.exitCode, shown).toBe(testCase.exitCode);
  const expected = valueOf(testCase.firstLine, repo, context);
  if (typeof expected === 'string') expect(firstLine, shown).toBe(expected);
  else expect(firstLine, shown).toMatch(new RegExp(`^(?:${expected.source})$`, expected.flags));
  for (const [name, text] of [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
    ['otto.log', log],
  ] as const) {
    expect(text, `a stack trace on ${name}:\n${shown}`).not.toMatch(STACK_LINE);
    expect(text, `"unexpected error" on ${name}:\n${shown}`).not.toContain('unexpected error');
    for (const secret of testCase.secrets ?? [])
      expect(text, `the secret ${JSON.stringify(secret)} on ${name}`).not.toContain(secret);
  }
  testCase.check?.({ stdout: result.stdout, stderr: result.stderr, log }, repo);
}

const TABLES = {
  'command lines and host actions': CLI_CASES,
  'lab and settings files': LAB_CASES,
  'docker images and compose stacks': DOCKER_CASES,
  'otto test suites and their flags': SUITE_CASES,
};

describe('otto under bad input', () => {
  it('has a table of at least 80 cases with distinct names', () => {
    const names = [...CLI_CASES, ...LAB_CASES, ...DOCKER_CASES, ...SUITE_CASES].map(
      (testCase) => testCase.name,
    );
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(80);
  });

  for (const [table, cases] of Object.entries(TABLES))
    describe(table, () => {
      for (const testCase of cases) it(testCase.name, () => runCase(testCase), 120_000);
    });
});
