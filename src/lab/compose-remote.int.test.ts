import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listComposeContainers } from '../docker/compose/compose-containers.js';
import { engine } from '../../test/helpers/engine.js';
import { makeComposeRepo, uniqueComposeSuffix } from '../../test/helpers/compose-repo.js';
import { startLocalSshd, type LocalSshd } from '../../test/helpers/local-sshd.js';
import { composeDown, composeUp, type ComposeStackOptions } from './compose-stacks.js';
import { stagingDirOf } from './compose-staging.js';
import { LabHostPool } from './lab-host-pool.js';
import { loadLab } from './lab.js';
import { pathExists } from '../common/path-exists.js';

// The parent is an SSH host on this machine's loopback whose user reaches this machine's engine
// socket: the same engine, reached the way a remote one is (socket forwarded over SSH, bind
// sources staged through the host's `put`).
let sshd: LocalSshd;
let pool: LabHostPool;
let options: ComposeStackOptions;
let project: string;

beforeAll(async () => {
  sshd = await startLocalSshd();
  const suffix = uniqueComposeSuffix();
  process.env.OTTO_COMPOSE_SUFFIX = suffix;
  project = `otto-demo-${suffix}`;
  const { repo, labDir } = await makeComposeRepo({
    settings: 'default_host = "dock_one"\n',
    hosts: [
      {
        ne: 'dock',
        board: 'one',
        ip: sshd.host,
        port: sshd.port,
        creds: { [sshd.username]: '' },
        key: sshd.keys.privateKeyPath,
        labs: ['main'],
        docker_capable: true,
        resources: ['dock'],
        ssh_options: { known_hosts: sshd.knownHostsPath },
      },
    ],
  });
  const lab = await loadLab({ names: ['main'], dirs: [labDir] });
  pool = new LabHostPool(lab);
  options = { repo, lab, hosts: pool };
}, 120_000);

afterAll(async () => {
  if (options) await composeDown(options);
  await pool?.close();
  await sshd?.stop();
});

describe('composeUp on a docker-capable SSH host', () => {
  it('runs the stack on its engine, stages bind sources and removes them at down', async () => {
    const stack = await composeUp(options);
    try {
      expect(stack.parentId).toBe('dock_one');
      const web = stack.services.web!;
      expect(web.id).toBe('dock_one.demo.web');
      expect(web.resources).toEqual(['dock']);
      expect((await web.run('cat /srv/site/index.html')).only().output).toBe(
        'hello from the site\n',
      );
      expect(await pathExists(`${stagingDirOf(project)}/0/site/index.html`)).toBe(true);
      const again = await composeUp(options);
      expect(again.alreadyUp).toBe(true);
      await again.close();
    } finally {
      await stack.close();
    }
    expect(await composeDown(options)).toBe(true);
    expect(await listComposeContainers(engine, project)).toEqual([]);
    expect(await pathExists(stagingDirOf(project))).toBe(false);
  });
});
