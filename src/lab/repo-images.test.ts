import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { RepoDockerImage } from './repo-settings.js';
import { declaredImagesOf, selectRepoImages } from './repo-images.js';
import type { Repo } from './settings.js';

function repoOf(name: string, images: RepoDockerImage[]): Repo {
  return {
    root: `/src/${name}`,
    settingsPath: `/src/${name}/.otto/settings.toml`,
    settings: {
      name,
      version: '1.0.0',
      labs: [],
      libs: [],
      tests: [],
      init: [],
      host_defaults: {},
      docker: { registry_url: 'docker.io', images, composes: [] },
    },
  };
}

const image = (name: string, extra: Partial<RepoDockerImage> = {}): RepoDockerImage => ({
  name,
  dockerfile: `docker/${name}/Dockerfile`,
  context: 'docker',
  ...extra,
});

const demo = repoOf('Demo', [image('app', { target: 'runtime' }), image('db')]);
const other = repoOf('other', [image('app')]);

describe('declaredImagesOf', () => {
  it('resolves paths against the repo root and names the tags after repo and image', () => {
    expect(declaredImagesOf(demo).map((declared) => declared.recipe)).toEqual([
      {
        name: 'app',
        repository: 'demo-app',
        subject: 'image "app" of repo Demo',
        contextDir: '/src/Demo/docker',
        dockerfilePath: '/src/Demo/docker/app/Dockerfile',
        dockerfileName: 'docker/app/Dockerfile',
        target: 'runtime',
        buildArgs: {},
      },
      expect.objectContaining({ name: 'db', repository: 'demo-db', target: undefined }),
    ]);
  });
});

describe('selectRepoImages', () => {
  it('selects all, or those named, in settings order; <repo>/<name> picks one repo', () => {
    const names = (selected: ReturnType<typeof selectRepoImages>) =>
      selected.map((declared) => declared.recipe.repository);
    expect(names(selectRepoImages(demo))).toEqual(['demo-app', 'demo-db']);
    expect(names(selectRepoImages(demo, ['db', 'app']))).toEqual(['demo-app', 'demo-db']);
    expect(names(selectRepoImages([demo, other], ['app']))).toEqual(['demo-app', 'other-app']);
    expect(names(selectRepoImages([demo, other], ['other/app']))).toEqual(['other-app']);
  });

  it('refuses an unknown name, listing the declared ones with the closest', () => {
    expect(() => selectRepoImages(demo, ['ap'])).toThrow(
      new ConfigError(
        'UNKNOWN_IMAGE',
        'No image "ap" in [[docker.images]]; did you mean "app"? The declared ones are: app, db.',
        { fix: 'otto docker build without names builds every declared image.' },
      ),
    );
    expect(() => selectRepoImages([demo, other], ['web'])).toThrow(
      'No image "web" in [[docker.images]]. The declared ones are: Demo/app, Demo/db, other/app.',
    );
  });

  it('refuses repos that declare no images', () => {
    expect(() => selectRepoImages([repoOf('empty', [])])).toThrow(
      new ConfigError(
        'NO_IMAGES',
        'No images to build: no [[docker.images]] in /src/empty/.otto/settings.toml.',
        {
          fix: 'declare one: [[docker.images]] with name, dockerfile and context (relative to the repo root).',
        },
      ),
    );
  });
});
