import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { OTTO_BIN, runCli } from '../helpers/run-cli.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/** Instructions in TypeScript, importing otto-ts that the repo does not install. */
const INIT_TS = `
import { defineInstruction, defineOptions } from 'otto-ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';

export const repoOptions = defineOptions({
  device: { type: 'enum', choices: ['router', 'switch'], default: 'router', help: 'Device kind.' },
});

export const deploy = defineInstruction({
  name: 'deploy',
  help: 'Install the build on a host.',
  options: {
    ...repoOptions,
    count: { type: 'number', integer: true, default: 1, help: 'How many times.' },
    debug: { type: 'boolean', help: 'More output.' },
    tag: { type: 'string', repeated: true },
  },
  async run({ options, host, logger, outputDir, dryRun }) {
    const count: number = options.count;
    logger.info('options ' + JSON.stringify(options));
    await writeFile(join(outputDir, 'artifact.txt'), 'count=' + count);
    const result = await host('carrot_seed').run('echo s3cret-pw');
    logger.info('dry run: ' + dryRun + ', status: ' + result.status);
    return result;
  },
});

export const fail = defineInstruction({
  name: 'fail',
  options: { code: { type: 'number', default: 1 } },
  run: ({ options }) => (options.code === 0 ? 'failed' : options.code),
});
`;

/** A second module, plain JavaScript, exporting a list. */
const MORE_JS = `
import { defineInstruction } from 'otto-ts';
export default [defineInstruction({ name: 'hello', help: 'Say hello.', run: ({ logger }) => { logger.info('hello'); } })];
`;

const HOSTS = [
  {
    ip: '127.0.0.1',
    ne: 'carrot',
    board: 'seed',
    creds: { otto: 's3cret-pw' },
    labs: ['main'],
    resources: ['rack1', 'rack2'],
  },
];

let repo: TempRepo;
beforeAll(async () => {
  repo = await makeTempRepo({
    settings: 'init = ["otto/init.ts", "otto/more"]\n',
    hosts: HOSTS,
    files: { 'otto/init.ts': INIT_TS, 'otto/more.mjs': MORE_JS },
  });
});

const otto = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, { env: { ...repo.env, ...env } });

describe('otto run', () => {
  it('lists the instructions of the repo by module', async () => {
    const result = await otto(['run', '--list-instructions']);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        `demo (${repo.root})`,
        '  deploy  Install the build on a host.  [otto/init.ts]',
        '  fail    -  [otto/init.ts]',
        '  hello   Say hello.  [otto/more.mjs]',
        '',
      ].join('\n'),
    );
  });

  it('runs an instruction with typed options in a dry run and writes its output directory', async () => {
    const result = await otto([
      '-n',
      '-l',
      'main',
      'run',
      'deploy',
      '--count',
      '3',
      '--device',
      'switch',
      '--debug',
      '--tag',
      'a',
      '--tag',
      'b',
    ]);
    expect(result.exitCode).toBe(0);
    const outputDir = /^output: (.+)$/m.exec(result.stderr)?.[1] ?? '';
    expect(outputDir).toMatch(new RegExp(`^${repo.xdir}/run/\\d{8}_\\d{6}_\\d{3}_deploy$`));
    expect(result.stderr.replace(/ok in \d+\.\d s/, 'ok in N s')).toBe(
      [
        'options {"device":"switch","count":3,"debug":true,"tag":["a","b"]}',
        '@carrot_seed | [DRY RUN] echo ********',
        'dry run: true, status: skipped',
        'deploy: ok in N s',
        `output: ${outputDir}`,
        '',
      ].join('\n'),
    );
    expect(await readFile(join(outputDir, 'artifact.txt'), 'utf8')).toBe('count=3');
    const log = await readFile(join(outputDir, 'otto.log'), 'utf8');
    expect(log).toContain('INFO  @carrot_seed | [DRY RUN] echo ********\n');
    expect(log).toContain('DEBUG lab: main\n');
    expect(log).not.toContain('s3cret-pw');
    expect(log).not.toContain('\x1b[');
  });

  it('sets the exit code from the result and never overwrites an output directory', async () => {
    const [failed, three, two] = await Promise.all([
      otto(['run', 'fail', '--code', '0']),
      otto(['run', 'fail', '--code', '3']),
      otto(['run', 'hello']),
    ]);
    expect([failed.exitCode, three.exitCode, two.exitCode]).toEqual([1, 3, 0]);
    expect(two.stderr).toMatch(/^hello\nhello: ok in \d\.\d s\noutput: /);
    const runs = await readdir(join(repo.xdir, 'run'));
    expect(new Set(runs).size).toBe(runs.length);
  });

  it('names an unknown instruction with the closest and the list, exit code 2', async () => {
    expect(await otto(['run', 'deplyo'])).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr:
        'otto: No instruction "deplyo"; did you mean "deploy"? Instructions: deploy, fail, hello.\nFix: otto run --list-instructions describes them.\n',
    });
  });

  it('names the option and the type expected for a wrong value', async () => {
    const count = await otto(['run', 'deploy', '--count', 'many']);
    expect(count).toMatchObject({ exitCode: 2, stdout: '' });
    expect(count.stderr.split('\n')[0]).toBe(
      "otto: option '--count <number>' argument 'many' is invalid. expected a number.",
    );
    const fraction = await otto(['run', 'deploy', '--count', '1.5']);
    expect(fraction.stderr.split('\n')[0]).toBe(
      "otto: option '--count <number>' argument '1.5' is invalid. expected an integer.",
    );
    const device = await otto(['run', 'deploy', '--device', 'hub']);
    expect(device.stderr.split('\n')[0]).toBe(
      "otto: option '--device <choice>' argument 'hub' is invalid. Allowed choices are router, switch.",
    );
  });

  it("shows an instruction's flags with their help and defaults", async () => {
    const result = await otto(['run', 'deploy', '--help']);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toContain(
      'Usage: otto run deploy [options]\n\nInstall the build on a host.\n',
    );
    expect(result.stdout).toMatch(/--count <number> +How many times\. \(default: 1\)/);
    expect(result.stdout).toMatch(/--no-debug +turn --debug off/);
  });

  it('reports a module that does not compile with file, line and column, exit code 2', async () => {
    const broken = await makeTempRepo({
      settings: 'init = ["otto/broken.ts"]\n',
      files: { 'otto/broken.ts': 'export const x: number = ;\n' },
    });
    const result = await runCli(['run', '--list-instructions'], { env: broken.env });
    const path = `${broken.root}/otto/broken.ts`;
    expect(result).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr: [
        `otto: Cannot load the module ${path}: syntax error at ${path}:1:26: Unexpected ";".`,
        '  | export const x: number = ;',
        '  |                          ^',
        'Fix: correct the module, then run otto again.',
        '',
      ].join('\n'),
    });
  });

  it('refuses a missing init module with exit code 2', async () => {
    const missing = await makeTempRepo({ settings: 'init = ["otto/nothere"]\n' });
    expect(await runCli(['run', 'x'], { env: missing.env })).toMatchObject({
      exitCode: 2,
      stderr: [
        `otto: Cannot find the module "otto/nothere" of repo ${missing.root}: none of ${missing.root}/otto/nothere exists with extension .ts, .mts, .js, .mjs, .cts, .cjs.`,
        'Fix: name a .ts or .js file relative to the repo root (e.g. init = ["${sutDir}/otto/init.ts"]).',
        '',
      ].join('\n'),
    });
  });
});

describe('helper modules that no package.json marks as ES modules', () => {
  const helperRepo = (helper: string) =>
    makeTempRepo({
      settings: 'init = ["otto/init.ts"]\n',
      files: {
        'otto/init.ts': `import { defineInstruction } from 'otto-ts';\nimport { shared } from '../lib/shared';\nexport const hi = defineInstruction({ name: 'hi', options: shared, run: ({ options, logger }) => logger.info('flavour ' + options.flavour) });\n`,
        'lib/shared.ts': helper,
      },
    });

  it('still import otto-ts (the loader makes them CommonJS)', async () => {
    const repo = await helperRepo(
      `import { defineOptions } from 'otto-ts';\nexport const shared = defineOptions({ flavour: { type: 'string', default: 'vanilla' } });\n`,
    );
    const result = await runCli(['run', 'hi'], { env: repo.env });
    expect(result.stderr).toMatch(/^flavour vanilla\n/);
    expect(result.exitCode).toBe(0);
  });

  it('that throw while loading are reported in one message, with no stack', async () => {
    const repo = await helperRepo(`throw new Error('helper broke');\nexport const shared = {};\n`);
    const result = await runCli(['run', 'hi'], { env: repo.env });
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: `otto: Cannot load the module ${repo.root}/otto/init.ts: it threw while loading: helper broke\n`,
    });
  });
});

describe('the reservation gate', () => {
  let gated: TempRepo;
  beforeAll(async () => {
    gated = await makeTempRepo({
      settings:
        'init = ["otto/more.mjs"]\n[reservations]\nbackend = "json"\n[reservations.json]\npath = "reservations.json"\n',
      hosts: HOSTS,
      files: {
        'otto/more.mjs': MORE_JS,
        'reservations.json': JSON.stringify({
          version: 1,
          reservations: [
            { user: 'alice', resources: ['rack1'] },
            { user: 'bob', resources: ['rack2'] },
          ],
        }),
      },
    });
  });
  const gatedOtto = (args: string[]) => runCli(args, { env: gated.env });

  it('refuses a run when a resource is held by someone else, naming it and its holder', async () => {
    const result = await gatedOtto(['-l', 'main', '--as-user', 'alice', 'run', 'hello']);
    expect(result).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: [
        'Acting as user "alice" (--as-user).',
        `otto: The reservation gate refused user "alice": 1 resource the lab requires is not reserved by alice (backend json (${gated.root}/reservations.json)):`,
        '  rack2: reserved by bob',
        'Fix: reserve them in your reservation system (otto only reads it), then run again.',
        '',
      ].join('\n'),
    });
  });

  it('runs as the holder with --as-user, and skips the gate loudly with -R', async () => {
    const asBob = await gatedOtto(['-l', 'main', '--as-user', 'bob', 'run', 'hello']);
    expect(asBob.exitCode).toBe(1); // bob holds rack2, not rack1
    expect(asBob.stderr).toContain('Acting as user "bob" (--as-user).');
    const skipped = await gatedOtto(['-l', 'main', '-R', 'run', 'hello']);
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stderr).toContain(
      'WARNING: The reservation check is skipped (-R): the lab may be in use by someone else.',
    );
  });

  it('reports whoami and check', async () => {
    const whoami = await gatedOtto(['-l', 'main', 'reservation', 'whoami']);
    expect(whoami).toMatchObject({
      exitCode: 0,
      stdout: `user:    ${userInfo().username}\nsource:  login name\nbackend: json (${gated.root}/reservations.json)\nlab:     main\n`,
    });
    const check = await gatedOtto(['-l', 'main', '--as-user', 'alice', 'reservation', 'check']);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain(
      'MISSING: alice does not hold 1 of 2 resources\n  rack2: reserved by bob\n',
    );
  });

  it('fails closed when the backend is broken, suggesting -R', async () => {
    await writeFile(join(gated.root, 'reservations.json'), '{ not json');
    const result = await gatedOtto(['-l', 'main', 'run', 'hello']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('fails closed');
    expect(result.stderr).toContain('-R');
  });
});

describe('logs and completion', () => {
  it('prunes old output directories and only those', async () => {
    const { utimes, mkdir } = await import('node:fs/promises');
    const old = join(repo.xdir, 'run', '20200101_000000_000_deploy');
    const keep = join(repo.xdir, 'run', 'my-notes');
    await mkdir(old, { recursive: true });
    await mkdir(keep, { recursive: true });
    const past = new Date('2020-01-01');
    await utimes(old, past, past);
    await utimes(keep, past, past);
    expect((await otto(['--log-days', '30', 'run', 'hello'])).exitCode).toBe(0);
    const left = await readdir(join(repo.xdir, 'run'));
    expect(left).toContain('my-notes');
    expect(left).not.toContain('20200101_000000_000_deploy');
  });

  it('completes instructions and their flags from the cache, host ids from the lab, in bash', async () => {
    await otto(['run', '--list-instructions']); // writes the completion cache
    const script = (await runCli(['completion', 'bash'])).stdout;
    const complete = (words: string) => {
      const line = [
        `otto() { "${process.execPath}" "${OTTO_BIN}" "$@"; }`,
        script,
        `COMP_WORDS=(${words}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))`,
        '_otto_complete',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      return spawnSync('bash', ['-c', line], {
        env: { ...process.env, ...repo.env },
        encoding: 'utf8',
      }).stdout;
    };
    expect(complete('otto run ""')).toBe('deploy\nfail\nhello\n');
    expect(complete('otto run deploy --de')).toBe('--debug\n--device\n');
    expect(complete('otto run deploy --device ""')).toBe('router\nswitch\n');
    expect(complete('otto -l main host ""')).toBe('carrot_seed\n');
    expect(complete('otto --log-level ""')).toBe('debug\nerror\ninfo\nwarn\n');
  });
});

describe('otto host before connecting', () => {
  it('refuses a telnet host with a transfer that needs SSH, and makes no output directory for the mistake', async () => {
    const telnet = await makeTempRepo({
      hosts: [{ ip: '127.0.0.1', ne: 'old', creds: { u: 'p' }, labs: ['main'], term: 'telnet' }],
    });
    const result = await runCli(
      ['-l', 'main', 'host', 'old', '--transfer', 'sftp', 'run', 'true'],
      {
        env: telnet.env,
      },
    );
    expect(result).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr:
        'otto: Host "old" uses term "telnet" with transfer "sftp", which needs SSH; a telnet host moves files by ftp, nc, shell, auto.\nFix: give the host "transfer": "auto" (or ftp, nc, shell), or --transfer auto.\n',
    });
    await expect(readdir(telnet.xdir)).rejects.toThrow(/ENOENT/);
  });

  it('says what an action takes', async () => {
    expect(await otto(['-l', 'main', 'host', 'carrot_seed', 'put', 'only-one'])).toMatchObject({
      exitCode: 2,
      stderr:
        'otto: otto host <id> put takes one or more sources and a destination folder.\nFix: otto host <id> put LOCAL... REMOTE_DIR\n',
    });
  });
});
