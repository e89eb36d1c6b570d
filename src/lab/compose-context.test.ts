import { describe, expect, it } from 'vitest';
import { parseComposeText } from '../docker/compose/compose-file.js';
import { declaredStacksOf, findDeclaredStack, selectServices } from './compose-context.js';
import { composePlaceholders } from './compose-placeholders.js';
import { emptyLab } from './lab-host-pool.js';
import type { RepoDockerCompose } from './repo-settings.js';
import type { Repo } from './settings.js';

function repoWith(composes: RepoDockerCompose[]): Repo {
  return {
    root: '/src/demo',
    settingsPath: '/src/demo/.otto/settings.toml',
    settings: {
      name: 'Demo',
      version: '1.0.0',
      labs: [],
      libs: [],
      tests: [],
      init: [],
      host_defaults: {},
      docker: { registry_url: 'docker.io', images: [], composes },
    },
  };
}

const model = parseComposeText('services:\n  web: {}\n  worker: {}\n', '/src/demo/stack.yml');

describe('declared stacks', () => {
  it('resolves the file, project and parent of each [[docker.composes]]', () => {
    process.env.OTTO_COMPOSE_SUFFIX = 'alice';
    const repo = repoWith([
      { path: 'stack.yml', services: [] },
      { path: '/abs/other.yml', default_host: 'builder', services: ['db'] },
    ]);
    expect(
      declaredStacksOf(repo).map(({ path, project, parentId }) => [path, project, parentId]),
    ).toEqual([
      ['/src/demo/stack.yml', 'otto-demo-alice', 'local'],
      ['/abs/other.yml', 'otto-demo-alice-2', 'builder'],
    ]);
    expect(findDeclaredStack(repo, 'stack.yml', 'far').parentId).toBe('far');
  });

  it('names the declared stacks when the asked one is not', () => {
    expect(() =>
      findDeclaredStack(repoWith([{ path: 'stack.yml', services: [] }]), 'nope.yml'),
    ).toThrow(
      'Repo "Demo" declares no compose stack "nope.yml"; it declares: stack.yml.\nFix: add a [[docker.composes]] entry with the path of the compose file.',
    );
    expect(() => findDeclaredStack(repoWith([]))).toThrow(
      'Repo "Demo" declares no compose stack (no [[docker.composes]] in /src/demo/.otto/settings.toml).',
    );
  });
});

describe('selectServices', () => {
  const [stack] = declaredStacksOf(repoWith([{ path: 'stack.yml', services: ['worker'] }]));

  it('takes the asked ones, else those of the settings, else all of the file', () => {
    expect(selectServices(stack!, model, ['web'])).toEqual(['web']);
    expect(selectServices(stack!, model)).toEqual(['worker']);
    expect(
      selectServices({ ...stack!, entry: { path: 'stack.yml', services: [] } }, model),
    ).toEqual(['web', 'worker']);
  });

  it('refuses an unknown service, listing the declared ones', () => {
    expect(() => selectServices(stack!, model, ['wrker', 'nginx'])).toThrow(
      'Unknown services "wrker", "nginx" in compose stack /src/demo/stack.yml of repo "Demo"; it declares: web, worker.\nFix: did you mean "worker"?',
    );
  });
});

describe('composePlaceholders', () => {
  it('lists the declared services as <parent>.<repo>.<service> without reading any file', async () => {
    const repo = repoWith([
      { path: 'missing.yml', services: ['Web', 'db'] },
      { path: 'other.yml', default_host: 'not-in-lab', services: ['x'] },
    ]);
    const placeholders = await composePlaceholders([repo], emptyLab());
    expect(placeholders.map((placeholder) => placeholder.id)).toEqual([
      'local.demo.web',
      'local.demo.db',
    ]);
  });

  it('warns, and lists nothing, when the file cannot be read', async () => {
    const warnings: string[] = [];
    const repo = repoWith([{ path: 'missing.yml', services: [] }]);
    expect(await composePlaceholders([repo], emptyLab(), warnings)).toEqual([]);
    expect(warnings).toEqual([
      'the services of /src/demo/missing.yml are not hosts: Cannot read compose file /src/demo/missing.yml: no such file.',
    ]);
  });
});
