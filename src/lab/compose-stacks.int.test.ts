import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listComposeContainers } from '../docker/compose/compose-containers.js';
import { OWNER_LABEL } from '../docker/labels.js';
import { engine } from '../../test/helpers/engine.js';
import { makeComposeRepo, uniqueComposeSuffix } from '../../test/helpers/compose-repo.js';
import type { Repo } from './settings.js';
import { composeDown, composeStack, composeUp } from './compose-stacks.js';
import { composePlaceholders, placeholderHosts } from './compose-placeholders.js';
import { emptyLab, LabHostPool } from './lab-host-pool.js';

let repo: Repo;
let project: string;

beforeAll(async () => {
  const suffix = uniqueComposeSuffix();
  process.env.OTTO_COMPOSE_SUFFIX = suffix;
  project = `otto-demo-${suffix}`;
  ({ repo } = await makeComposeRepo());
});

afterAll(async () => {
  await composeDown({ repo });
});

async function networkLabels(name: string): Promise<Record<string, string> | undefined> {
  const found = await engine
    .json<{ Labels: Record<string, string> }>({ method: 'GET', path: `/networks/${name}` })
    .catch(() => undefined);
  return found?.Labels;
}

describe('composeUp on the local engine', () => {
  it('starts both services as typed hosts, labelled as ours, and is idempotent', async () => {
    const stack = await composeUp({ repo });
    try {
      expect(stack.alreadyUp).toBe(false);
      expect(Object.keys(stack.services)).toEqual(['web', 'worker']);
      const web = stack.services.web!;
      expect(web.id).toBe('local.demo.web');
      expect(web.resources).toEqual([]);
      expect((await web.run('cat /srv/site/index.html')).only().output).toBe(
        'hello from the site\n',
      );
      expect((await stack.services.worker!.oneshot('echo $((6 * 7))')).stdout).toBe('42\n');
      const containers = await listComposeContainers(engine, project);
      expect(containers.map((container) => [container.service, container.owned])).toEqual([
        ['web', true],
        ['worker', true],
      ]);
      expect((await networkLabels(`${project}_default`))?.[OWNER_LABEL]).toBe('otto-ts');
      expect((await networkLabels(`${project}_backend`))?.[OWNER_LABEL]).toBe('otto-ts');
      const volume = await engine.json<{ Labels: Record<string, string> }>({
        method: 'GET',
        path: `/volumes/${project}_cache`,
      });
      expect(volume.Labels).toMatchObject({ [OWNER_LABEL]: 'otto-ts', 'otto.lifetime': 'process' });
      const again = await composeUp({ repo });
      expect(again.alreadyUp).toBe(true);
      expect(again.services.web!.containerId).toBe(web.containerId);
      await again.close();
    } finally {
      await stack.close();
    }
    expect(await composeDown({ repo })).toBe(true);
    expect(await listComposeContainers(engine, project)).toEqual([]);
    expect(await networkLabels(`${project}_default`)).toBeUndefined();
    expect(await composeDown({ repo })).toBe(false);
  });

  it('composeStack takes down only what it started', async () => {
    {
      await using stack = await composeStack({ repo, services: ['worker'] });
      expect(Object.keys(stack.services)).toEqual(['worker']);
    }
    expect(await listComposeContainers(engine, project)).toEqual([]);
    const outer = await composeUp({ repo });
    {
      await using inner = await composeStack({ repo });
      expect(inner.alreadyUp).toBe(true);
    }
    expect((await listComposeContainers(engine, project)).length).toBe(2);
    expect(await outer.down()).toBe(true);
  });

  it('a stack whose up signal was aborted since (Ctrl-C) still comes down when disposed', async () => {
    const controller = new AbortController();
    {
      await using stack = await composeStack({
        repo,
        services: ['worker'],
        signal: controller.signal,
      });
      expect(stack.alreadyUp).toBe(false);
      controller.abort(new Error('interrupted (Ctrl-C)'));
    }
    expect(await listComposeContainers(engine, project)).toEqual([]);
  });

  it('refuses an unknown service, naming the declared ones', async () => {
    await expect(composeUp({ repo, services: ['wbe'] })).rejects.toThrow(
      `Unknown service "wbe" in compose stack ${repo.root}/compose/stack.yml of repo "demo"; it declares: web, worker.\nFix: did you mean "web"?`,
    );
  });
});

describe('placeholders in a host pool', () => {
  it('are hosts before up, fail with STACK_NOT_UP, and reach the container once it runs', async () => {
    const lab = emptyLab();
    const placeholders = await composePlaceholders([repo], lab);
    const pool: LabHostPool = new LabHostPool(lab, {
      extraHosts: placeholderHosts(placeholders, lab, { get: (id) => pool.get(id) }),
    });
    try {
      expect(pool.ids()).toEqual(['local.demo.web', 'local.demo.worker']);
      const web = pool.get('local.demo.web');
      await expect(web.run('true')).rejects.toThrow(
        `Host "local.demo.web" has no container: service "web" of compose project "${project}" (${repo.root}/compose/stack.yml) is not running on local.\nFix: start the stack with \`otto docker up\`.`,
      );
      const stack = await composeUp({ repo, services: ['web'] });
      await stack.close();
      expect((await web.run('cat /srv/site/index.html')).only().output).toBe(
        'hello from the site\n',
      );
    } finally {
      await pool.close();
      await composeDown({ repo });
    }
  });
});
