import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../test/helpers/engine.js';
import { describeHostContract } from '../../test/helpers/host-contract.js';
import { StartedContainer } from '../docker/containers/started-container.js';
import { hashParts } from '../common/hash.js';
import { ensureCachedImage } from '../docker/images/cached-image.js';
import { importImage } from '../docker/images/image-api.js';
import { packRootfs } from '../docker/images/rootfs-tar.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerHost } from './container-host.js';
import type { HostOptions } from './host-options.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const containers: StartedContainer[] = [];

async function startIdle(image: string): Promise<StartedContainer> {
  const container = await StartedContainer.start(engine, {
    image,
    cmd: ['sleep', '3600'],
    entrypoint: [],
    purpose: 'container-host-test',
  });
  containers.push(container);
  return container;
}

afterAll(async () => {
  await Promise.all(containers.map((container) => container.stop()));
});

/** Hosts on one container, started on first use: the contract's observer must see the same processes. */
function onOneContainer(
  image: () => string,
  defaults: HostOptions = {},
): (options?: HostOptions) => Promise<ContainerHost> {
  let started: Promise<StartedContainer> | undefined;
  return async (options) =>
    new ContainerHost((await (started ??= startIdle(image()))).id, { ...defaults, ...options });
}

describeHostContract(
  'container (busybox)',
  onOneContainer(() => inject('images').busybox),
);
describeHostContract(
  'container (debian)',
  onOneContainer(() => inject('images').debian),
);
describeHostContract(
  'container (busybox) on a terminal',
  onOneContainer(() => inject('images').busybox, { pty: true }),
  { hasPty: true, isSlowTerminal: true },
);

describe('ContainerHost', () => {
  let container: StartedContainer;
  beforeAll(async () => {
    container = await startIdle(inject('images').busybox);
  });

  it('is named by its short id and runs on the docker-exec transport', async () => {
    await using host = new ContainerHost(container.id);
    expect(host.id).toBe(container.id.slice(0, 12));
    expect(host.kind).toBe('docker-exec');
  });

  it('answers prompts on a terminal when asked for one', async () => {
    await using host = new ContainerHost(container.id, { pty: true });
    const result = await host.run({
      cmd: 'printf \'Name: \'; read -r n; echo "hello $n"',
      expects: [['Name: ', 'otto\n']],
    });
    expect(result.only().output.replace(/\r/g, '')).toBe('Name: hello otto\n');
  });
});

describe('ContainerHost on an image that has nothing but /bin/sh', () => {
  it('runs its session, interrupts, oneshots and transfers', async () => {
    // The static busybox as /bin/sh and no applet links: nothing else exists in the image.
    const binary = await readFile('/bin/busybox');
    const image = await ensureCachedImage(engine, {
      ref: 'otto-test/only-sh:latest',
      recipeHash: hashParts(['only-sh-1', binary]),
      build: async () =>
        importImage(
          engine,
          await packRootfs([
            { kind: 'dir', path: '/bin', mode: 0o755 },
            { kind: 'dir', path: '/tmp', mode: 0o1777 },
            { kind: 'file', path: '/bin/sh', mode: 0o755, content: binary },
          ]),
          { subject: 'otto-test/only-sh' },
        ),
    });
    const container = await StartedContainer.start(engine, {
      image: image.ref,
      // Only a shell to wait with: `read` on a stdin that stays open and silent.
      cmd: ['/bin/sh', '-c', 'while :; do read x; done'],
      openStdin: true,
      purpose: 'only-sh-test',
    });
    containers.push(container);
    await using host = new ContainerHost(container.id);
    await host.run('cd /tmp; greet() { printf "hi %s\\n" "$1"; }');
    expect((await host.run('greet there; echo "$PWD"')).only().output).toBe('hi there\n/tmp\n');
    const stopped = (await host.run('echo waiting; sleep 30', { timeoutMs: 800 })).only();
    expect({ status: stopped.status, output: stopped.output }).toEqual({
      status: 'error',
      output: 'waiting\n',
    });
    expect((await host.run('echo back')).only().output).toBe('back\n');
    const local = await makeTempDir('otto-only-sh-');
    await mkdir(join(local, 'back'));
    await writeFile(join(local, 'note.txt'), 'only sh\n');
    await host.put([join(local, 'note.txt')], '/tmp');
    await host.get(['/tmp/note.txt'], join(local, 'back'));
    expect(await readFile(join(local, 'back', 'note.txt'), 'utf8')).toBe('only sh\n');
    expect((await host.oneshot('echo one-shot')).stdout).toBe('one-shot\n');
  });
});
