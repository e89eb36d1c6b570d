import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { writeFile } from 'node:fs/promises';

import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { ImageBuildError } from '../../errors.js';
import { runContainer } from '../containers/run-container.js';
import { ensureImageFromDirectory } from './directory-image.js';
import { inspectImage, removeImage } from './image-api.js';

const REF = `otto-test/directory-image-${process.pid}:latest`;
const created: string[] = [];

async function contextWith(files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('otto-context-');
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

afterAll(async () => {
  for (const id of created) await removeImage(engine, id, { force: true });
});

describe('ensureImageFromDirectory', () => {
  it('builds through the build endpoint, then finds the image by content until the content changes', async () => {
    const dockerfile = `FROM ${inject('images').busybox}\nCOPY greeting /greeting\nCMD ["cat", "/greeting"]\n`;
    const dir = await contextWith({ Dockerfile: dockerfile, greeting: 'hello\n' });
    const first = await ensureImageFromDirectory(engine, { contextDir: dir, ref: REF });
    created.push(first.id);
    expect(first.built).toBe(true);
    expect((await runContainer(engine, { image: REF, cmd: ['cat', '/greeting'] })).stdout).toBe(
      'hello\n',
    );

    const second = await ensureImageFromDirectory(engine, { contextDir: dir, ref: REF });
    expect(second).toMatchObject({ built: false, id: first.id });
    expect(second.durationMs).toBeLessThan(1000);

    await writeFile(join(dir, 'greeting'), 'changed\n');
    const third = await ensureImageFromDirectory(engine, { contextDir: dir, ref: REF });
    created.push(third.id);
    expect(third.built).toBe(true);
    expect(third.id).not.toBe(first.id);
    expect((await runContainer(engine, { image: REF, cmd: ['cat', '/greeting'] })).stdout).toBe(
      'changed\n',
    );
  });

  it('names the failing step with its output and leaves no tag behind', async () => {
    const ref = `otto-test/failing-build-${process.pid}:latest`;
    const dockerfile = `FROM ${inject('images').busybox}\nRUN echo preparing\nRUN echo about to fail && exit 7\n`;
    const dir = await contextWith({ Dockerfile: dockerfile });
    const failure = await ensureImageFromDirectory(engine, { contextDir: dir, ref }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ImageBuildError);
    const error = failure as ImageBuildError;
    // The engine numbers steps after appending one LABEL step per label, hence 3/7.
    expect(error.message.split('\n')[0]).toBe(
      `Building ${ref} failed at step 3/7 (RUN echo about to fail && exit 7): The command '/bin/sh -c echo about to fail && exit 7' returned a non-zero code: 7`,
    );
    expect(error.details.outputTail).toContain('about to fail');
    expect(await inspectImage(engine, ref)).toBeUndefined();
  });

  it('refuses a base image the engine does not have, since it never pulls', async () => {
    const dir = await contextWith({ Dockerfile: 'FROM otto/nonexistent:1\n' });
    await expect(
      ensureImageFromDirectory(engine, { contextDir: dir, ref: 'otto-test/never:latest' }),
    ).rejects.toThrow(
      'Cannot build otto-test/never:latest: its base image otto/nonexistent:1 is not in the engine, and otto-ts never pulls.\nFix: build it first: otto image base nonexistent',
    );
  });
});
