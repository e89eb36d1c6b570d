import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { readBuildContext } from './build-context.js';
import {
  hashImageRecipe,
  imageRepositoryName,
  recipeRefsOf,
  type ImageRecipe,
} from './image-recipe.js';

const FILES = {
  '.dockerignore': '*.log\nDockerfile\n',
  Dockerfile: 'FROM otto/busybox:latest\nCOPY . /app\n',
  'app/main.sh': 'echo hi\n',
  'debug.log': 'noise',
};

async function contextWith(files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('otto-recipe-');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

function recipeOf(dir: string, overrides: Partial<ImageRecipe> = {}): ImageRecipe {
  return {
    name: 'app',
    repository: 'demo-app',
    subject: 'image "app" of repo demo',
    contextDir: dir,
    dockerfilePath: join(dir, 'Dockerfile'),
    buildArgs: { VERSION: '1' },
    ...overrides,
  };
}

async function hashOf(dir: string, overrides: Partial<ImageRecipe> = {}): Promise<string> {
  const recipe = recipeOf(dir, overrides);
  return hashImageRecipe(recipe, await readBuildContext(dir, recipe.dockerfilePath));
}

describe('hashImageRecipe', () => {
  it('is stable, and ignored files do not change it', async () => {
    const dir = await contextWith(FILES);
    const first = await hashOf(dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashOf(dir)).toBe(first);
    await writeFile(join(dir, 'debug.log'), 'other noise');
    await writeFile(join(dir, 'new.log'), 'more noise');
    expect(await hashOf(dir)).toBe(first);
  });

  it('changes with the content or the mode of a file, and with a new file', async () => {
    const dir = await contextWith(FILES);
    const seen = new Set([await hashOf(dir)]);
    await writeFile(join(dir, 'app/main.sh'), 'echo bye\n');
    seen.add(await hashOf(dir));
    await chmod(join(dir, 'app/main.sh'), 0o755);
    seen.add(await hashOf(dir));
    await writeFile(join(dir, 'app/extra.txt'), '');
    seen.add(await hashOf(dir));
    expect(seen.size).toBe(4);
  });

  it('covers an ignored Dockerfile, the build arguments and the target', async () => {
    const dir = await contextWith(FILES);
    const seen = new Set([await hashOf(dir)]);
    seen.add(await hashOf(dir, { buildArgs: { VERSION: '2' } }));
    seen.add(await hashOf(dir, { buildArgs: { VERSION: '1', EXTRA: '' } }));
    seen.add(await hashOf(dir, { target: 'runtime' }));
    await writeFile(join(dir, 'Dockerfile'), 'FROM otto/busybox:latest\nCOPY . /srv\n');
    seen.add(await hashOf(dir));
    expect(seen.size).toBe(5);
  });

  it('does not depend on the order of the build arguments', async () => {
    const dir = await contextWith(FILES);
    expect(await hashOf(dir, { buildArgs: { A: '1', B: '2' } })).toBe(
      await hashOf(dir, { buildArgs: { B: '2', A: '1' } }),
    );
  });
});

describe('imageRepositoryName and recipeRefsOf', () => {
  it('makes valid lower-case references of any repo and image name', () => {
    expect(imageRepositoryName('demo', 'app')).toBe('demo-app');
    expect(imageRepositoryName('My Repo', 'Web_Server')).toBe('my-repo-web_server');
    expect(imageRepositoryName('-a..b__c--d-', 'ä!')).toBe('a-b__c-d-x');
  });

  it('tags with the first 16 hex digits of the hash, and latest', () => {
    const hash = 'ab'.repeat(32);
    expect(recipeRefsOf('demo-app', hash)).toEqual({
      hashTag: 'abababababababab',
      hashRef: 'demo-app:abababababababab',
      latestRef: 'demo-app:latest',
    });
  });
});
