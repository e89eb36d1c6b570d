import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listComposeContainers } from '../../src/docker/compose/compose-containers.js';
import { engine } from '../helpers/engine.js';
import { makeComposeRepo, uniqueComposeSuffix } from '../helpers/compose-repo.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import type { TempRepo } from '../helpers/temp-repo.js';

const LAB = [{ ne: 'box', board: 'one', ip: '192.0.2.1', creds: { u: 'p' }, labs: ['main'] }];
let temp: TempRepo;
let env: NodeJS.ProcessEnv;
let project: string;

beforeAll(async () => {
  const suffix = uniqueComposeSuffix();
  project = `otto-demo-${suffix}`;
  temp = await makeComposeRepo({ hosts: LAB });
  env = { ...temp.env, OTTO_LAB: 'main', OTTO_COMPOSE_SUFFIX: suffix };
});

afterAll(async () => {
  await runCli(['docker', 'down'], { env });
});

/** stderr without the `output: <dir>` line every command that works on hosts ends with. */
function messageOf(result: CliResult): string {
  return result.stderr.replace(/^output: .*\n/m, '');
}

/** A printed table's cells, row by row (columns are padded with spaces). */
function cellsOf(table: string): string[][] {
  return table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/\s+/));
}

describe('otto docker up|down|ps', () => {
  it('lists the declared services as hosts before up, without asking the engine', async () => {
    const result = await runCli(['--list-hosts'], {
      env: { ...env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(cellsOf(result.stdout)).toEqual([
      ['ID', 'ADDRESS', 'TERM', 'TRANSFER', 'HOP', 'RESOURCES'],
      ['box_one', '192.0.2.1', 'ssh', 'scp', '-', '-'],
      ['local.demo.web', 'compose', project, 'docker', 'docker', 'local', '-'],
      ['local.demo.worker', 'compose', project, 'docker', 'docker', 'local', '-'],
    ]);
  });

  it('says how to start a stack that is not up', async () => {
    const result = await runCli(['host', 'local.demo.web', 'run', 'true'], { env });
    expect(result.exitCode).toBe(1);
    expect(messageOf(result)).toBe(
      `otto: Host "local.demo.web" has no container: service "web" of compose project "${project}" (${temp.root}/compose/stack.yml) is not running on local.\nFix: start the stack with \`otto docker up\`.\n`,
    );
  });

  it('starts the stack once, runs commands on its services, lists and removes it', async () => {
    const up = await runCli(['docker', 'up'], { env });
    expect(messageOf(up)).toBe('');
    expect(up.exitCode).toBe(0);
    const containers = await listComposeContainers(engine, project);
    const short = containers.map((container) => container.id.slice(0, 12));
    expect(cellsOf(up.stdout)).toEqual([
      ['HOST', 'CONTAINER', 'PROJECT', 'STATUS'],
      ['local.demo.web', short[0], project, 'started'],
      ['local.demo.worker', short[1], project, 'started'],
    ]);
    const again = await runCli(['docker', 'up'], { env });
    expect(again.stdout).toBe(up.stdout.replaceAll('started', 'already up'));

    const run = await runCli(['host', 'local.demo.web', 'run', 'cat /srv/site/index.html'], {
      env,
    });
    expect(run, run.stderr).toMatchObject({ exitCode: 0, stdout: 'hello from the site\n' });

    const ps = await runCli(['docker', 'ps'], { env });
    expect(ps.exitCode).toBe(0);
    expect(cellsOf(ps.stdout)).toEqual([
      ['HOST', 'SERVICE', 'CONTAINER', 'STATE', 'IMAGE'],
      ['local.demo.web', 'web', `${project}_web_1`, 'running', 'otto/busybox:latest'],
      ['local.demo.worker', 'worker', `${project}_worker_1`, 'running', 'otto/busybox:latest'],
    ]);

    const down = await runCli(['docker', 'down'], { env });
    expect(down).toMatchObject({ exitCode: 0, stdout: `${project} on local: removed\n` });
    expect(await listComposeContainers(engine, project)).toEqual([]);
    const downAgain = await runCli(['docker', 'down'], { env });
    expect(downAgain.stdout).toBe(`${project} on local: not up\n`);
  });

  it("shows compose's own message for a compose file with errors", async () => {
    const broken = await makeComposeRepo({
      hosts: LAB,
      compose: 'services:\n  web:\n    image: otto/busybox:latest\n    bogus_key: 1\n',
    });
    const suffix = uniqueComposeSuffix();
    const result = await runCli(['docker', 'up'], {
      env: { ...env, ...broken.env, OTTO_LAB: 'main', OTTO_COMPOSE_SUFFIX: suffix },
    });
    expect(result.exitCode).toBe(1);
    expect(messageOf(result)).toBe(
      `otto: compose up of project "otto-demo-${suffix}" (${broken.root}/compose/stack.yml) failed: exit code 1.\n` +
        `  | The Compose file '${broken.root}/compose/stack.yml' is invalid because:\n` +
        `  | Unsupported config option for services.web: 'bogus_key'\n`,
    );
  });

  it('refuses an unknown service, listing the declared ones', async () => {
    const wrong = await makeComposeRepo({ hosts: LAB, settings: 'services = ["wbe"]\n' });
    const result = await runCli(['docker', 'up', '--no-build'], {
      env: { ...env, ...wrong.env, OTTO_LAB: 'main' },
    });
    expect(result.exitCode).toBe(2);
    expect(messageOf(result)).toBe(
      `otto: Unknown service "wbe" in compose stack ${wrong.root}/compose/stack.yml of repo "demo"; it declares: web, worker.\nFix: did you mean "web"?\n`,
    );
  });
});
