import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { COMPOSE_YAML, uniqueComposeSuffix } from '../../../test/helpers/compose-repo.js';
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { EngineClient } from '../engine/engine-client.js';
import { DEFAULT_SOCKET_PATH } from '../engine/engine-endpoint.js';
import { ownershipLabels } from '../labels.js';
import {
  COMPOSE_PROJECT_LABEL,
  COMPOSE_SERVICE_LABEL,
  listComposeContainers,
} from './compose-containers.js';
import { readComposeFile, type ComposeFileModel } from './compose-file.js';
import { downComposeStack, upComposeStack, type ComposeStackSpec } from './compose-stack.js';

let model: ComposeFileModel;
let project: string;
const foreign: Array<{ kind: 'containers' | 'networks'; id: string }> = [];

beforeAll(async () => {
  const dir = await makeTempDir('otto-compose-stack-');
  await writeFile(join(dir, 'stack.yml'), COMPOSE_YAML);
  model = await readComposeFile(join(dir, 'stack.yml'));
  project = `otto-stack-${uniqueComposeSuffix()}`;
});

afterEach(async () => {
  for (const { kind, id } of foreign.splice(0))
    await engine.json({
      method: 'DELETE',
      path: `/${kind}/${id}`,
      query: { force: kind === 'containers' },
      okStatus: [204, 404],
    });
  await downComposeStack(spec()).catch(() => undefined);
});

function spec(extra: Partial<ComposeStackSpec> = {}): ComposeStackSpec {
  return {
    engine,
    project,
    model,
    services: ['web', 'worker'],
    labels: ownershipLabels('compose-stack', {}, { lifetime: 'kept' }),
    ...extra,
  };
}

/** A container someone else made under our project name, without our labels. */
async function makeForeignContainer(service: string): Promise<string> {
  const { Id } = await engine.json<{ Id: string }>({
    method: 'POST',
    path: '/containers/create',
    body: {
      Image: 'otto/busybox:latest',
      Cmd: ['sleep', '3600'],
      Labels: { [COMPOSE_PROJECT_LABEL]: project, [COMPOSE_SERVICE_LABEL]: service },
    },
  });
  foreign.push({ kind: 'containers', id: Id });
  return Id;
}

async function exists(kind: 'containers' | 'networks' | 'volumes', name: string): Promise<boolean> {
  return engine
    .json({
      method: 'GET',
      path: `/${kind}/${name}/${kind === 'containers' ? 'json' : ''}`.replace(/\/$/, ''),
    })
    .then(
      () => true,
      () => false,
    );
}

describe('compose stacks and what is not ours', () => {
  it('down leaves a foreign container and network of the same project label alone', async () => {
    const container = await makeForeignContainer('intruder');
    const { Id: network } = await engine.json<{ Id: string }>({
      method: 'POST',
      path: '/networks/create',
      body: { Name: `${project}_foreign`, Labels: { [COMPOSE_PROJECT_LABEL]: project } },
    });
    foreign.push({ kind: 'networks', id: network });
    const up = await upComposeStack(spec());
    expect([...up.containers.keys()]).toEqual(['web', 'worker']);
    expect(await exists('volumes', `${project}_cache`)).toBe(true);
    expect(await downComposeStack(spec())).toBe(true);
    const left = await listComposeContainers(engine, project);
    expect(left.map((found) => [found.id, found.owned])).toEqual([[container, false]]);
    expect(await exists('networks', network)).toBe(true);
    expect(await exists('networks', `${project}_default`)).toBe(false);
    expect(await exists('volumes', `${project}_cache`)).toBe(false);
  });

  it('refuses to take down a project where compose would remove a container not ours', async () => {
    await upComposeStack(spec({ services: ['worker'] }));
    const container = await makeForeignContainer('web');
    const name = (await listComposeContainers(engine, project)).find(
      (found) => found.id === container,
    )!.name;
    await expect(downComposeStack(spec())).rejects.toThrow(
      `Not taking down compose project "${project}" (${model.path}): container ${name} is not otto's (no otto.owner label), and compose would remove it.\nFix: remove or rename them yourself, or use another project name (OTTO_COMPOSE_SUFFIX).`,
    );
    expect((await listComposeContainers(engine, project)).length).toBe(2);
  });

  it('an interrupted up leaves nothing of the stack behind', async () => {
    const controller = new AbortController();
    const up = upComposeStack(
      spec({
        signal: controller.signal,
        onLine: (line) => /Creating .*_(web|worker)/.test(line) && controller.abort(),
      }),
    );
    await expect(up).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await listComposeContainers(engine, project)).toEqual([]);
    expect(await exists('networks', `${project}_default`)).toBe(false);
    expect(await exists('volumes', `${project}_cache`)).toBe(false);
  });

  it("reports an engine that stopped answering while compose ran, not compose's traceback", async () => {
    const dir = await makeTempDir('otto-compose-gone-');
    // A compose that fails the way compose does when the engine is gone, after one line.
    const cli = join(dir, 'compose-fails');
    await writeFile(cli, '#!/bin/sh\necho "Traceback (most recent call last):"\nexit 1\n', {
      mode: 0o755,
    });
    // The engine "dies" at compose's first line: its connections drop and new ones are refused.
    let isEngineUp = true;
    const sockets: Socket[] = [];
    const stopEngine = () => {
      isEngineUp = false;
      for (const socket of sockets) socket.destroy();
    };
    const dying = new EngineClient(
      { kind: 'ssh', url: 'unix:///var/run/docker.sock (stopping)' },
      {
        createConnection: () => {
          if (!isEngineUp)
            return Promise.reject(
              Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
            );
          const socket = connect(DEFAULT_SOCKET_PATH);
          sockets.push(socket);
          return Promise.resolve(socket);
        },
      },
    );
    try {
      const failure = upComposeStack(
        spec({
          engine: dying,
          cli: { file: cli, kind: 'standalone' },
          onLine: stopEngine,
        }),
      );
      await expect(failure).rejects.toMatchObject({
        code: 'ENGINE_UNREACHABLE',
        message:
          'Cannot reach the Docker engine at unix:///var/run/docker.sock (stopping) for GET /version: ECONNREFUSED.\nFix: start the engine (`otto engine ensure` installs and starts it on Debian) or set DOCKER_HOST.',
      });
    } finally {
      await dying.close();
    }
  });
});
