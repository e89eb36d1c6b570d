import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureBaseImage } from '../../src/docker/images/base-images.js';
import { MonitorStore } from '../../src/monitor/store/monitor-store.js';
import { engine } from '../helpers/engine.js';
import { OTTO_BIN, runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('otto image base', () => {
  it('finds an up-to-date busybox image in well under a second', async () => {
    const image = await ensureBaseImage(engine, 'busybox');
    const result = await runCli(['image', 'base', 'busybox']);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: `otto/busybox:latest ${image.id.slice(7, 19)}: up to date (${image.recipeRef}).\n`,
    });
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('refuses an unknown kind with exit code 2 and the choices', async () => {
    const result = await runCli(['image', 'base', 'alpine']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      "otto: command-argument value 'alpine' is invalid for argument 'kind'. Allowed choices are busybox, debian.",
    );
  });
});

describe('otto engine ensure', () => {
  it('reports the running engine and does nothing else', async () => {
    const result = await runCli(['engine', 'ensure']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^Docker engine \S+ \(API 1\.\d+\) at unix:\/\/\/var\/run\/docker\.sock: already running\.\n$/,
    );
  });

  it('fails with a clear message, no stack, when DOCKER_HOST names a dead engine', async () => {
    const result = await runCli(['engine', 'ensure'], {
      env: { DOCKER_HOST: 'tcp://127.0.0.1:9' },
    });
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr:
        'otto: No Docker engine answers at tcp://127.0.0.1:9 (from DOCKER_HOST); otto-ts starts only a local engine.\nFix: start the engine on that machine, or unset DOCKER_HOST to use the local one.\n',
    });
  });
});

describe('otto demo', () => {
  it('brings up the demo stack, runs otto run deploy and a stability run of DemoSuite on it, prints where the reports are, and leaves nothing', async () => {
    const project = `otto-demo-e2e${process.pid}`;
    const xdir = await makeTempDir('otto-demo-');
    const result = await runCli(['-x', xdir, 'demo'], {
      env: { OTTO_COMPOSE_SUFFIX: `e2e${process.pid}` },
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      timeoutMs: 300_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const { stdout, stderr } = result;
    expect(stdout).toMatch(
      /^engine {3}Docker \S+ at unix:\/\/\/var\/run\/docker\.sock \(was running\)\n/,
    );
    expect(stdout).toMatch(/\nimage {4}otto\/busybox:latest (built in \S+|up to date)\n/);
    expect(stdout).toMatch(/\nimage {4}otto\/debian:bookworm (built in \S+|up to date)\n/);
    expect(stdout).toMatch(
      /\nimage {4}demo-web:latest (built in \S+|up to date \([0-9a-f]{16}\))\n/,
    );
    expect(stdout).toMatch(
      new RegExp(`\nstack {4}${project} up in \\S+: local\\.demo\\.client, local\\.demo\\.web\n`),
    );
    // The steps are real otto commands, printed before they run.
    expect(stdout).toContain(`\n$ OTTO_SUT_DIRS=demo/project otto -x ${xdir} run deploy\n`);
    expect(stderr).toContain(
      '@local.demo.client | wget -qO- http://web:8080/cgi-bin/status\ndeploy: release 1.0 answers at http://web:8080/cgi-bin/status\ndeploy: ok in ',
    );
    expect(stdout).toContain(
      `\n$ OTTO_SUT_DIRS=demo/project otto -x ${xdir} --log-level warn test DemoSuite -i 3 --threshold 60 --monitor --monitor-hosts demo --monitor-interval 0.5\n`,
    );
    // The flaky test fails its second iteration (with where and why), and is stable at 60%.
    expect(stderr).toMatch(
      /\nerror: EXPECT FAILED \S+\/demo\/project\/tests\/demo\.test\.ts:\d+: GET \/missing\.html answers /,
    );
    const table = [
      'Stability Results for DemoSuite (3 iterations, threshold 60%):',
      '  home page answers                        3/3 (100.0%)  STABLE',
      '  status reports the deployed release      3/3 (100.0%)  STABLE',
      '  serves /index.html                       3/3 (100.0%)  STABLE',
      '  serves /cgi-bin/status                   3/3 (100.0%)  STABLE',
      '  flaky on purpose                         2/3 (66.7%)  STABLE',
      'Overall: PASS',
      '',
    ].join('\n');
    expect(stdout).toContain(`\n${table}`);
    expect(stdout).toMatch(new RegExp(`\\nstack {4}${project} down in \\S+\\n`));
    const summary = /\nSummary:\n([^]*)$/.exec(stdout)?.[1] ?? '';
    const run = `${xdir}/run/\\d{8}_\\d{6}_\\d{3}_deploy`;
    const test = `${xdir}/test/\\d{8}_\\d{6}_\\d{3}_DemoSuite`;
    expect(summary).toMatch(
      new RegExp(
        [
          '^  deploy     exit 0 in \\S+',
          '  suite      DemoSuite exit 0 in \\S+: 5/5 tests passed, all stable at threshold 60% \\(flaky on purpose 2/3\\)',
          `  logs       ${run}/otto\\.log`,
          `             ${test}/otto\\.log`,
          `  JUnit      ${test}/junit\\.xml`,
          `  summary    ${test}/summary\\.json`,
          `  stability  ${test}/stability_report\\.txt`,
          `  monitor    ${test}/monitor\\.db`,
          `  open it    otto monitor --file ${test}/monitor\\.db`,
          'demo     passed in \\S+\n$',
        ].join('\n'),
      ),
    );
    // Every path the summary names exists, and the reports say what the console said.
    const paths = [...summary.matchAll(/ (\/\S+)$/gm)].map((match) => match[1]!);
    expect(paths).toHaveLength(7);
    for (const path of paths) expect(existsSync(path), path).toBe(true);
    expect(readFileSync(paths[4]!, 'utf8')).toBe(table);
    expect(readFileSync(paths[2]!, 'utf8')).toContain(
      '<property name="otto:stability" value="2/3"></property>',
    );
    const report = JSON.parse(readFileSync(paths[3]!, 'utf8')) as {
      exitCode: number;
      counts: object;
    };
    expect(report).toMatchObject({
      exitCode: 0,
      counts: { total: 5, passed: 5, failed: 0, skipped: 0 },
    });
    // The monitor recorded both containers, and a green span per test (stable ones pass).
    using monitor = await MonitorStore.open(paths[5]!, { mode: 'read' });
    expect(monitor.hosts().sort()).toEqual(['local.demo.client', 'local.demo.web']);
    expect(monitor.events().map(({ label, color }) => [label, color])).toEqual(
      [
        'home page answers',
        'status reports the deployed release',
        'serves /index.html',
        'serves /cgi-bin/status',
        'flaky on purpose',
      ].map((name) => [`DemoSuite > ${name}`, '#2e9e44']),
    );
    await expectNothingLeft(project);
  });

  it('on Ctrl-C during the suite, stops it, takes the stack down, prints the summary and exits 130', async () => {
    const project = `otto-demo-e2e${process.pid}c`;
    const xdir = await makeTempDir('otto-demo-');
    const child = spawn(process.execPath, [OTTO_BIN, '-x', xdir, 'demo'], {
      env: { ...process.env, NO_COLOR: '1', OTTO_COMPOSE_SUFFIX: `e2e${process.pid}c` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    // Once the suite's first test has reported, one Ctrl-C as a terminal sends it: to the demo
    // only (its steps run in process groups of their own).
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (sent || !stdout.includes('✓ home page answers')) return;
      sent = true;
      child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(exitCode, stderr).toBe(130);
    expect(stderr).toContain('otto: interrupted; stopping (Ctrl-C again to quit at once)\n');
    expect(stdout).toMatch(new RegExp(`\\nstack {4}${project} down in \\S+\\n`));
    expect(stdout).toMatch(/\n {2}suite {6}DemoSuite exit 130 in \S+: /);
    expect(stdout).toMatch(/\ndemo {5}interrupted in \S+\n$/);
    await expectNothingLeft(project);
  });
});

/** No container or network of the compose project is left on the engine. */
async function expectNothingLeft(project: string): Promise<void> {
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`] });
  for (const [path, query] of [
    ['/containers/json', { all: true, filters }],
    ['/networks', { filters }],
  ] as const)
    expect(await engine.json<unknown[]>({ method: 'GET', path, query }), path).toEqual([]);
}

describe('otto --version', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ exitCode: 0, stdout: `${version}\n` });
  });
});

describe('otto lab schema', () => {
  it('prints the JSON Schema of lab files', async () => {
    const result = await runCli(['lab', 'schema']);
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(result.stdout) as {
      title: string;
      $defs: { host: { required: string[] } };
    };
    expect(schema.title).toBe('otto-ts lab file');
    expect(schema.$defs.host.required).toEqual(['ip', 'ne', 'creds']);
  });
});
