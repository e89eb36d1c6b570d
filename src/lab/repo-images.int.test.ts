import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../test/helpers/engine.js';
import { makeTempRepo } from '../../test/helpers/temp-repo.js';
import { runContainer } from '../docker/containers/run-container.js';
import { inspectImage, removeImage } from '../docker/images/image-api.js';
import { ConfigError, ImageBuildError } from '../errors.js';
import { buildRepoImages } from './repo-images.js';
import { readRepo } from './settings.js';

// Names carry the pid, so that parallel runs on the same engine never share a tag.
const APP = `app-${process.pid}`;
const BAD = `bad-${process.pid}`;
const built = new Set<string>();

afterAll(async () => {
  for (const id of built) await removeImage(engine, id, { force: true });
});

function imageEntry(name: string, extra = ''): string {
  return `[[docker.images]]\nname = "${name}"\ndockerfile = "docker/${name}/Dockerfile"\ncontext = "docker/${name}"\n${extra}`;
}

async function repoWith(settings: string, files: Record<string, string>) {
  const temp = await makeTempRepo({ settings, files });
  return readRepo(temp.root);
}

const MULTI_STAGE = (busybox: string) =>
  [
    `FROM ${busybox} AS base`,
    'ARG GREETING=unset',
    'RUN echo "$GREETING" > /greeting',
    'FROM base AS runtime',
    'COPY . /ctx',
    'FROM base AS debug',
    'RUN exit 9',
    '',
  ].join('\n');

describe('buildRepoImages', () => {
  it('builds a declared multi-stage image with its target and build args, then skips it by hash', async () => {
    const repo = await repoWith(
      imageEntry(APP, 'target = "runtime"\nbuild_args = { GREETING = "hello" }\n'),
      {
        [`docker/${APP}/Dockerfile`]: MULTI_STAGE(inject('images').busybox),
        [`docker/${APP}/.dockerignore`]: '*.log\n',
        [`docker/${APP}/data.txt`]: 'data\n',
        [`docker/${APP}/trace.log`]: 'noise\n',
      },
    );
    const [first] = await buildRepoImages(engine, repo);
    built.add(first!.id);
    expect(first).toMatchObject({
      name: APP,
      repo: 'demo',
      ref: `demo-${APP}:latest`,
      built: true,
    });
    expect(first!.hashTag).toMatch(/^[0-9a-f]{16}$/);
    const image = await inspectImage(engine, first!.id);
    expect(image?.tags.sort()).toEqual([`demo-${APP}:${first!.hashTag}`, `demo-${APP}:latest`]);
    expect(image?.labels).toMatchObject({ 'otto.owner': 'otto-ts', 'otto.lifetime': 'kept' });
    const run = await runContainer(engine, {
      image: first!.ref,
      cmd: ['sh', '-c', 'cat /greeting; ls -A /ctx'],
    });
    expect(run.stdout).toBe('hello\n.dockerignore\nDockerfile\ndata.txt\n');

    // The skip: one inspect, and one tag when latest went elsewhere.
    await removeImage(engine, first!.ref);
    const [second] = await buildRepoImages(engine, repo);
    expect(second).toMatchObject({ built: false, id: first!.id, hashTag: first!.hashTag });
    expect(second!.durationMs).toBeLessThan(1000);
    expect((await inspectImage(engine, `demo-${APP}:latest`))?.id).toBe(first!.id);

    const [rebuilt] = await buildRepoImages(engine, repo, { rebuild: true });
    built.add(rebuilt!.id);
    expect(rebuilt).toMatchObject({ built: true, hashTag: first!.hashTag });
  });

  it('names the failing step, its Dockerfile line and output, and tags nothing', async () => {
    const dockerfile = `FROM ${inject('images').busybox}\nRUN echo preparing\nRUN echo about to fail && \\\n    exit 7\n`;
    const repo = await repoWith(imageEntry(BAD), { [`docker/${BAD}/Dockerfile`]: dockerfile });
    const failure = await buildRepoImages(engine, repo).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageBuildError);
    const error = failure as ImageBuildError;
    expect(error.code).toBe('BUILD_STEP_FAILED');
    // The engine appends one LABEL step per label, hence 3/7.
    expect(error.message.split('\n')[0]).toBe(
      `Building image "${BAD}" of repo demo failed at step 3/7 (RUN echo about to fail &&     exit 7, docker/${BAD}/Dockerfile line 3): The command '/bin/sh -c echo about to fail &&     exit 7' returned a non-zero code: 7`,
    );
    expect(error.details.outputTail).toBe('about to fail');
    expect(await inspectImage(engine, `demo-${BAD}:latest`)).toBeUndefined();
    const tagged = await engine.json<unknown[]>({
      method: 'GET',
      path: '/images/json',
      query: { filters: JSON.stringify({ reference: [`demo-${BAD}`] }) },
    });
    expect(tagged).toEqual([]);
  });

  it('refuses a context folder or a Dockerfile that is not there, naming the settings entry', async () => {
    const repo = await repoWith(imageEntry(APP), {
      [`docker/${APP}/Dockerfile`]: `FROM ${inject('images').busybox}\n`,
    });
    await rm(join(repo.root, 'docker', APP, 'Dockerfile'));
    await expect(buildRepoImages(engine, repo)).rejects.toThrow(
      new ConfigError(
        'BUILD_CONTEXT_MISSING',
        `Cannot build image "${APP}" of repo demo: its Dockerfile ${join(repo.root, 'docker', APP, 'Dockerfile')} does not exist (dockerfile = "docker/${APP}/Dockerfile" in [[docker.images]] "${APP}" of ${repo.settingsPath}).`,
        { fix: 'create the Dockerfile, or set dockerfile to a path relative to the repo root.' },
      ),
    );
    await rm(join(repo.root, 'docker'), { recursive: true });
    await expect(buildRepoImages(engine, repo)).rejects.toThrow(
      `Cannot build image "${APP}" of repo demo: its context folder ${join(repo.root, 'docker', APP)} does not exist (context = "docker/${APP}" in [[docker.images]] "${APP}" of ${repo.settingsPath}).`,
    );
  });
});
