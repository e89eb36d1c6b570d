import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '../../src/common/child-process.js';
import { descendantsOf } from '../helpers/descendants.js';
import { waitUntil } from '../../src/common/deadline.js';
import { engine } from '../helpers/engine.js';
import { OTTO_BIN, runCli, type CliResult } from '../helpers/run-cli.js';
import { startSshTestbed, type SshTestbed } from '../helpers/ssh-testbed.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * `otto test` on lab hosts: the example repo test/fixtures/suites/testbed with a lab of the SSH
 * test bed's servers (`box` on `direct`, logging in with a passphrase-protected key; `inner` on
 * `behind`, one hop through box). Also the hostile cases: a lab secret shown every way, endless
 * output from a host command, and Ctrl-C in the middle of a long remote command.
 */

const TESTBED = fileURLToPath(new URL('../fixtures/suites/testbed', import.meta.url));

/** The passphrase of box's key, with characters that XML and JSON escape. */
const SECRET = 'Tr0u&b"4d<r\\x';

let testbed: SshTestbed;
let base: string;
let root: string;
beforeAll(async () => {
  testbed = await startSshTestbed(['direct', 'behind']);
  base = await makeTempDir('otto-cli-test-ssh-');
  root = join(base, 'testbed');
  await cp(TESTBED, root, { recursive: true });
  await mkdir(join(root, 'lab'));
  // The test bed's encrypted key, under a passphrase that escaping would hide from a plain mask.
  const keyPath = join(base, 'id_box');
  await cp(testbed.keys.encryptedKeyPath, keyPath);
  const rekey = ['-p', '-f', keyPath, '-P', testbed.keys.passphrase, '-N', SECRET];
  expect((await runChild('ssh-keygen', rekey)).exitCode).toBe(0);
  const direct = testbed.server('direct');
  const knownHosts = testbed.newKnownHostsPath();
  const hosts = [
    {
      id: 'box',
      ip: direct.host,
      port: direct.port,
      ne: 'box',
      creds: { otto: '' },
      key: keyPath,
      passphrase: SECRET,
      ssh_options: { known_hosts: knownHosts },
      labs: ['testbed'],
    },
    {
      id: 'inner',
      ip: testbed.server('behind').host,
      ne: 'inner',
      creds: { root: 'root' },
      hop: 'box',
      ssh_options: { known_hosts: knownHosts },
      labs: ['testbed'],
    },
  ];
  await writeFile(join(root, 'lab', 'hosts.json'), JSON.stringify(hosts, null, 2));
}, 180_000);
afterAll(() => testbed?.stop(), 60_000);

function envOf(xdir: string): NodeJS.ProcessEnv {
  return { OTTO_SUT_DIRS: root, OTTO_XDIR: xdir, OTTO_LAB: '', NO_COLOR: '1' };
}

/** `otto -l testbed test ...`; the runs share one xdir (and so its caches), as a user's do. */
function ottoTest(args: string[]): Promise<CliResult> {
  return runCli(['-l', 'testbed', 'test', ...args], { cwd: root, env: envOf(join(base, 'xdir')) });
}

function outputDirOf(result: { stderr: string }): string {
  const dir = /^output: (.+)$/m.exec(result.stderr)?.[1];
  expect(dir, result.stderr).toBeDefined();
  return dir!;
}

function shown(result: CliResult): string {
  return `exit ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

async function summaryOf(dir: string) {
  return JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as {
    exitCode: number;
    counts: Record<string, number>;
    tests: Array<{ id: string; state: string; errors: Array<{ message: string }> }>;
  };
}

/** The command lines of the processes running in a test bed container. */
async function processesOn(name: 'direct' | 'behind'): Promise<string[]> {
  const { id } = testbed.server(name).container;
  const top = await engine.json<{ Titles: string[]; Processes: string[][] }>({
    method: 'GET',
    path: `/containers/${id}/top`,
    query: { ps_args: '-eo pid,args' },
  });
  return top.Processes.map((row) => row.at(-1)!);
}

describe('otto test on SSH lab hosts', () => {
  it('runs a suite on the lab hosts, through a hop, and attaches the command log of a failed test', async () => {
    const result = await ottoTest(['Remote', '--greeting', 'hi']);
    expect(result.exitCode, shown(result)).toBe(1);
    const dir = outputDirOf(result);
    const summary = await summaryOf(dir);
    expect(summary.tests.map((test) => [test.id, test.state])).toEqual([
      ['greets from box', 'passed'],
      ['whoami on box', 'passed'],
      ['whoami on inner', 'passed'],
      ['a failing command', 'failed'],
    ]);
    const read = (path: string) => readFile(join(dir, 'tests', path), 'utf8');
    expect(await read('greets_from_box/greeting.txt')).toBe('hi from direct\n');
    expect(await read('whoami_on_box/user.txt')).toBe('otto\n');
    expect(await read('whoami_on_inner/user.txt')).toBe('root\n');
    // Only the failed test has a command log: its host commands, their output and the failure.
    const commandLog = join(dir, 'tests', 'a_failing_command', 'commands.log');
    expect(await readFile(commandLog, 'utf8')).toMatch(
      /^\S+ INFO {2}@inner \| echo checking the disk\n\S+ DEBUG @inner > \| checking the disk\n\S+ INFO {2}@inner \| test -d \/var\/lib\/otto-disk\n\S+ ERROR EXPECT FAILED \S+remote\.test\.ts:\d+: the disk check passes {2}t\.expect\(result\.ok, 'the disk check passes'\);\n$/,
    );
    expect(existsSync(join(dir, 'tests', 'greets_from_box', 'commands.log'))).toBe(false);
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toContain(
      `<property name="otto:commands" value="${commandLog}">`,
    );
    expect(result.stdout).toContain(`      command log: ${commandLog}\n`);
    // The setup hook ran on box before the tests; host commands are echoed on stderr.
    expect(result.stderr).toMatch(
      /^Remote: running tests\/remote\.test\.ts of testbed\n@box \| mkdir -p \/tmp\/otto-remote\n/,
    );
    const log = await readFile(join(dir, 'otto.log'), 'utf8');
    expect(log).toContain('INFO  @inner | id -un\n');
  });

  it('never shows a lab secret: not on the console, in otto.log, junit.xml, summary.json or a command log', async () => {
    const result = await ottoTest(['Leaky']);
    expect(result.exitCode, shown(result)).toBe(1);
    const dir = outputDirOf(result);
    const files = [
      'otto.log',
      'junit.xml',
      'summary.json',
      'tests/shows_the_password/commands.log',
    ];
    const texts: Array<[string, string]> = [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
      ...(await Promise.all(
        files.map(
          async (file) => [file, await readFile(join(dir, file), 'utf8')] as [string, string],
        ),
      )),
    ];
    for (const [name, text] of texts) {
      for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), 'Tr0u&amp;b'])
        expect(text, `the secret in ${name}`).not.toContain(form);
      // Each shows the masked text instead: what the test said did reach it.
      expect(text, name).toMatch(/logging in with \*{8}|could not log in with \*{8}/);
    }
    expect(result.stdout).toContain('console says ********\n');
    expect(result.stderr).toContain('console.error says ********\n');
    expect(result.stderr).toContain("@box | echo the password is '********'\n");
  });

  it('stops a host command that prints without end at the test timeout, keeping a bounded command log', async () => {
    const result = await ottoTest(['Chatty']);
    expect(result.exitCode, shown(result)).toBe(1);
    const dir = outputDirOf(result);
    const summary = await summaryOf(dir);
    expect(summary.tests[0]!.errors[0]!.message.split('\n')[0]).toBe(
      'TimeoutError: Chatty > prints forever: the test body did not settle within 3.0s; its signal was aborted so its host commands stop, and its cleanup runs next.',
    );
    const lines = (await readFile(join(dir, 'tests/prints_forever/commands.log'), 'utf8'))
      .trimEnd()
      .split('\n');
    expect(lines[0]).toMatch(/^\[\d+ earlier lines dropped\]$/);
    expect(lines).toHaveLength(5001);
    expect(lines.at(-1)).toMatch(/ DEBUG @box > \| otto says this again and again$/);
    // The console shows only the tail of it, and `yes` no longer runs on box.
    expect(result.stdout.length).toBeLessThan(20_000);
    expect(result.stdout).toContain('(last 15 of 5001 lines)');
    expect((await processesOn('direct')).filter((line) => line.startsWith('yes'))).toEqual([]);
  });

  it('stops on Ctrl-C: exit 130, the remote command killed, the cleanup run, reports written, nothing left running', async () => {
    const child = spawn(process.execPath, [OTTO_BIN, '-l', 'testbed', 'test', 'Sleeper'], {
      cwd: root,
      env: { ...process.env, ...envOf(join(base, 'xdir')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitUntil(
        async () => ((await processesOn('direct')).includes('sleep 3141') ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 100, what: '`sleep 3141` to run on box' },
      );
      // The Vitest worker (and anything else otto started here) must end with it.
      const started = await descendantsOf(child.pid!);
      expect(started.length).toBeGreaterThan(0);
      const interruptedAt = performance.now();
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(performance.now() - interruptedAt).toBeLessThan(15_000);
      expect(started.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
      expect((await processesOn('direct')).filter((line) => line.includes('sleep'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toContain('otto: interrupted; stopping (Ctrl-C again to quit at once)\n');
    expect(stderr).toContain('Sleeper: cleanup ran\n');
    const dir = outputDirOf({ stderr });
    const summary = await summaryOf(dir);
    expect(summary.exitCode).toBe(130);
    expect(summary.counts.passed).toBe(0);
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testsuites name="Sleeper"/);
    expect(await readFile(join(dir, 'otto.log'), 'utf8')).toMatch(/DEBUG exit code 130\n$/);
    expect(stdout).toMatch(/\nSleeper: 0 passed/);
  });
});
