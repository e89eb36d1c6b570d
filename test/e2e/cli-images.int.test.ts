import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureBaseImage } from '../../src/docker/images/base-images.js';
import { engine } from '../helpers/engine.js';
import { runCli } from '../helpers/run-cli.js';

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
  it('runs commands in containers of both base images, then the demo project stack, leaving nothing', async () => {
    const result = await runCli(['demo'], { env: { OTTO_COMPOSE_SUFFIX: `e2e${process.pid}` } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'busybox  exit 0:\n  uid=0(root) gid=0(root) groups=0(root)\n  /usr/bin/env\n  ok\n',
    );
    expect(result.stdout).toMatch(/debian {3}exit 0:\n {2}Debian 12\.\d+ on kernel \S+\n/);
    expect(result.stdout).toMatch(
      /\nimage {4}demo-web:latest (built in \S+|up to date \([0-9a-f]{16}\))\n/,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `\nstack {4}otto-demo-e2e${process.pid} up in \\S+: local\\.demo\\.client, local\\.demo\\.web\n`,
      ),
    );
    expect(result.stdout).toMatch(
      /\nclient {3}wget http:\/\/web:8080\/:\n {2}Hello from the otto-ts demo stack\.\n$/,
    );
    const left = await engine.json<unknown[]>({
      method: 'GET',
      path: '/containers/json',
      query: {
        all: true,
        filters: JSON.stringify({
          label: [`com.docker.compose.project=otto-demo-e2e${process.pid}`],
        }),
      },
    });
    expect(left).toEqual([]);
  });
});

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
