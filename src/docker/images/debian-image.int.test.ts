import { describe, expect, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { ImageBuildError } from '../../errors.js';
import { DEBIAN_RECIPE, ensureDebianImage } from './debian-image.js';

describe('a Debian image build that fails', () => {
  it('names the step and the unreachable mirror, and leaves no tag behind', async () => {
    // A recipe of its own, so that no cached image answers, and a mirror on a closed loopback port.
    const recipe = { ...DEBIAN_RECIPE, include: [...DEBIAN_RECIPE.include, 'hello'] };
    const ref = `otto-test/debian-unreachable-${process.pid}:bookworm`;
    const mirror = 'http://127.0.0.1:9/debian';
    const failure = await ensureDebianImage(engine, { recipe, mirror, ref }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ImageBuildError);
    const message = (failure as ImageBuildError).message.split('\n')[0];
    expect(message).toBe(
      `Building ${ref} failed at step debootstrap: the Debian mirror ${mirror} could not be reached.`,
    );
    expect((failure as ImageBuildError).details.operation).toBe('debootstrap');
    const images = await engine.json<Array<{ RepoTags: string[] | null }>>({
      method: 'GET',
      path: '/images/json',
    });
    const tags = images.flatMap((image) => image.RepoTags ?? []);
    expect(tags.filter((tag) => tag.startsWith(ref.split(':')[0]!))).toEqual([]);
  });
});
