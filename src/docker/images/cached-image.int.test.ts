import { afterAll, describe, expect, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { ImageBuildError } from '../../errors.js';
import { hashParts } from '../../common/hash.js';
import { ensureCachedImage } from './cached-image.js';
import { importImage, inspectImage, removeImage } from './image-api.js';
import { packRootfs } from './rootfs-tar.js';

const REF = `otto-test/cached-${process.pid}:latest`;
const RECIPE = hashParts(['cached-image test', String(process.pid)]);

let builds = 0;
/** Imports a one-file image; each call makes a new image id (the creation time differs). */
async function importTiny(): Promise<string> {
  builds++;
  const rootfs = await packRootfs([
    { kind: 'file', path: '/hello', mode: 0o644, content: `build ${builds}\n` },
  ]);
  return importImage(engine, rootfs, { subject: REF });
}

afterAll(async () => {
  await removeImage(engine, REF, { force: true });
  await removeImage(engine, `otto-test/cached-${process.pid}:recipe-${RECIPE.slice(0, 12)}`, {
    force: true,
  });
});

describe('ensureCachedImage', () => {
  it('builds once, then answers from the recipe tag without building', async () => {
    const first = await ensureCachedImage(engine, {
      ref: REF,
      recipeHash: RECIPE,
      build: importTiny,
    });
    const second = await ensureCachedImage(engine, {
      ref: REF,
      recipeHash: RECIPE,
      build: importTiny,
    });
    expect(first).toMatchObject({
      built: true,
      recipeRef: `otto-test/cached-${process.pid}:recipe-${RECIPE.slice(0, 12)}`,
    });
    expect(second).toMatchObject({ built: false, id: first.id });
    expect(builds).toBe(1);
  });

  it('rebuilds when forced and removes the image it replaced', async () => {
    const before = await ensureCachedImage(engine, {
      ref: REF,
      recipeHash: RECIPE,
      build: importTiny,
    });
    const after = await ensureCachedImage(engine, {
      ref: REF,
      recipeHash: RECIPE,
      build: importTiny,
      force: true,
    });
    expect(after.built).toBe(true);
    expect(after.id).not.toBe(before.id);
    expect((await inspectImage(engine, REF))?.id).toBe(after.id);
    expect(await inspectImage(engine, before.id)).toBeUndefined();
  });

  it('wraps a failing build and tags nothing', async () => {
    const ref = `otto-test/cached-failing-${process.pid}:latest`;
    const build = () => Promise.reject(new Error('the recipe step exploded'));
    await expect(ensureCachedImage(engine, { ref, recipeHash: RECIPE, build })).rejects.toThrow(
      new ImageBuildError('IMAGE_BUILD_FAILED', `Building ${ref} failed: the recipe step exploded`),
    );
    expect(await inspectImage(engine, ref)).toBeUndefined();
  });
});
