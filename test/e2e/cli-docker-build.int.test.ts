import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../helpers/engine.js';
import { startLocalSshd, type LocalSshd } from '../helpers/local-sshd.js';
import { OTTO_BIN, runCli } from '../helpers/run-cli.js';
import { makeTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { waitUntil } from '../../src/common/deadline.js';
import { removeImage } from '../../src/docker/images/image-api.js';

// Image names carry the pid: parallel runs on one engine never share a tag.
const suffix = `e2e-${process.pid}`;
const APP = `app-${suffix}`;
const BAD = `bad-${suffix}`;
const SLOW = `slow-${suffix}`;
const REMOTE = `remote-${suffix}`;

function imageEntry(name: string, extra = ''): string {
  return `[[docker.images]]\nname = "${name}"\ndockerfile = "docker/${name}/Dockerfile"\ncontext = "docker/${name}"\n${extra}`;
}

let sshd: LocalSshd;
let repo: TempRepo;
beforeAll(async () => {
  sshd = await startLocalSshd();
  const busybox = inject('images').busybox;
  repo = await makeTempRepo({
    settings: [
      `[host_defaults.ssh_options]\nknown_hosts = "${sshd.knownHostsPath}"\n`,
      imageEntry(APP, 'target = "runtime"\nbuild_args = { GREETING = "hello" }\n'),
      imageEntry(BAD),
      imageEntry(SLOW),
      imageEntry(REMOTE),
    ].join(''),
    files: {
      [`docker/${APP}/Dockerfile`]: `FROM ${busybox} AS base\nARG GREETING\nRUN echo "$GREETING" > /greeting\nFROM base AS runtime\nCOPY . /app\n`,
      [`docker/${APP}/data.txt`]: 'data\n',
      [`docker/${BAD}/Dockerfile`]: `FROM ${busybox}\nRUN echo broken && exit 3\n`,
      [`docker/${SLOW}/Dockerfile`]: `FROM ${busybox}\nRUN echo started && sleep 60\n`,
      [`docker/${REMOTE}/Dockerfile`]: `FROM ${busybox}\nRUN echo remote > /where\n`,
    },
    hosts: [
      {
        id: 'builder',
        ip: sshd.host,
        port: sshd.port,
        ne: 'builder',
        creds: { [sshd.username]: '' },
        key: sshd.keys.privateKeyPath,
        docker_capable: true,
        labs: ['main'],
      },
      { id: 'plain', ip: '127.0.0.1', ne: 'plain', creds: { otto: 'otto' }, labs: ['main'] },
    ],
  });
}, 120_000);

afterAll(async () => {
  const images = await engine.json<Array<{ Id: string }>>({
    method: 'GET',
    path: '/images/json',
    query: {
      filters: JSON.stringify({ reference: [APP, BAD, SLOW, REMOTE].map((n) => `demo-${n}`) }),
    },
  });
  for (const image of images) await removeImage(engine, image.Id, { force: true });
  await sshd?.stop();
});

const otto = (args: string[]) => runCli(args, { env: repo.env });

describe('otto docker build', () => {
  it('builds a declared image with a line per step, then finds it by its hash', async () => {
    const built = await otto(['docker', 'build', APP]);
    expect(built.stderr).toContain(
      `image "${APP}" of repo demo: Step 1/9 : FROM ${inject('images').busybox} AS base\n`,
    );
    expect(built.stderr).toContain(`image "${APP}" of repo demo: Step 5/9 : COPY . /app\n`);
    expect(built.stdout).toMatch(
      new RegExp(`^demo-${APP}:latest [0-9a-f]{12}: built in [0-9.]+m?s\\.\\n$`),
    );
    expect(built.exitCode).toBe(0);

    const again = await otto(['docker', 'build', APP]);
    expect(again.stdout).toMatch(
      new RegExp(
        `^demo-${APP}:latest ${built.stdout.split(' ')[1]!.slice(0, 12)}: up to date \\([0-9a-f]{16}\\)\\.\\n$`,
      ),
    );
    expect(again.stderr).toBe('');
    expect(again.exitCode).toBe(0);
  });

  it('refuses an unknown image, naming the declared ones (exit 2)', async () => {
    const result = await otto(['docker', 'build', `ap-${suffix}`]);
    expect(result.stderr).toBe(
      `otto: No image "ap-${suffix}" in [[docker.images]]; did you mean "${APP}"? The declared ones are: ${APP}, ${BAD}, ${SLOW}, ${REMOTE}.\nFix: otto docker build without names builds every declared image.\n`,
    );
    expect(result.exitCode).toBe(2);
  });

  it('names the failing step with its output (exit 1)', async () => {
    const result = await otto(['docker', 'build', BAD]);
    expect(result.stderr).toContain(
      `\notto: Building image "${BAD}" of repo demo failed at step 2/6 (RUN echo broken && exit 3, docker/${BAD}/Dockerfile line 2): The command '/bin/sh -c echo broken && exit 3' returned a non-zero code: 3\n  | broken\n`,
    );
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(1);
  });

  it('refuses --on a host that is not docker-capable (exit 2)', async () => {
    const result = await otto(['-l', 'main', 'docker', 'build', '--on', 'plain', APP]);
    expect(result.stderr).toMatch(
      /^otto: Host "plain" is not docker-capable, so it cannot run Docker work; the parents are: local, builder\.\nFix: mark it "docker_capable": true in the lab file if it runs a Docker engine\.\noutput: .*\n$/,
    );
    expect(result.exitCode).toBe(2);
  });

  it("builds on a docker-capable lab host's engine over SSH", async () => {
    const result = await otto(['-l', 'main', 'docker', 'build', '--on', 'builder', REMOTE]);
    expect(result.stdout).toMatch(
      new RegExp(`^demo-${REMOTE}:latest [0-9a-f]{12} on builder: built in [0-9.]+m?s\\.\\n$`),
    );
    expect(result.stderr).toContain(
      `image "${REMOTE}" of repo demo: Step 2/6 : RUN echo remote > /where\n`,
    );
    expect(result.exitCode).toBe(0);
  });

  it('stops the build on Ctrl-C (exit 130), leaving no tag and no build container', async () => {
    const child = spawn(process.execPath, [OTTO_BIN, 'docker', 'build', SLOW], {
      env: { ...process.env, NO_COLOR: '1', ...repo.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const running = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('RUN echo started && sleep 60')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await running;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(
      `otto: Aborted building image "${SLOW}" of repo demo on the engine at unix:///var/run/docker.sock: the engine stops the build, nothing was tagged.\n`,
    );
    const tagged = await engine.json<unknown[]>({
      method: 'GET',
      path: '/images/json',
      query: { filters: JSON.stringify({ reference: [`demo-${SLOW}`] }) },
    });
    expect(tagged).toEqual([]);
    // The engine removes the step's container once it has seen the request go.
    await waitUntil(
      async () => {
        const containers = await engine.json<Array<{ Command: string }>>({
          method: 'GET',
          path: '/containers/json',
          query: { all: true, filters: JSON.stringify({ ancestor: [inject('images').busybox] }) },
        });
        return containers.some((item) => item.Command.includes('sleep 60')) ? undefined : true;
      },
      { timeoutMs: 20_000, what: 'the engine to remove the build container' },
    );
  });
});
