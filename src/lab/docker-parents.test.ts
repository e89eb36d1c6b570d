import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { SshHost } from '../hosts/ssh-host.js';
import { dockerParentFor, dockerParentIds, closeDockerParent } from './docker-parents.js';
import { LabHostPool } from './lab-host-pool.js';
import { loadLab, type Lab } from './lab.js';

const COMPAT = fileURLToPath(new URL('../../test/fixtures/otto-compat/lab_data', import.meta.url));
let lab: Lab;
let pool: LabHostPool;
beforeAll(async () => {
  lab = await loadLab({ names: ['veggies'], dirs: [join(COMPAT, 'tech1')] });
  pool = new LabHostPool(lab);
});
afterAll(() => pool.close());

describe('dockerParentFor', () => {
  it('gives the local engine without an id, or for "local"', async () => {
    for (const id of [undefined, 'local']) {
      const parent = dockerParentFor(lab, pool, id);
      expect(parent).toMatchObject({ id: 'local', resources: [] });
      expect(parent.sshHost).toBeUndefined();
      expect(parent.engine.endpoint.kind).toBe('unix');
      await closeDockerParent(parent);
    }
  });

  it("gives a docker-capable lab host's engine over its SSH connection, connecting to nothing yet", async () => {
    const parent = dockerParentFor(lab, pool, 'pepper_seed');
    expect(parent.id).toBe('pepper_seed');
    expect(parent.sshHost).toBeInstanceOf(SshHost);
    expect(parent.engine.endpoint).toEqual({
      kind: 'ssh',
      url: 'unix:///var/run/docker.sock on vagrant@10.10.200.13:22 via vagrant@10.10.200.11:22',
    });
    await closeDockerParent(parent);
  });

  it('refuses a host that is not docker-capable, naming the parents', () => {
    expect(() => dockerParentFor(lab, pool, 'carrot_seed')).toThrow(
      new ConfigError(
        'NOT_DOCKER_CAPABLE',
        'Host "carrot_seed" is not docker-capable, so it cannot run Docker work; the parents are: local, pepper_seed.',
        { fix: 'mark it "docker_capable": true in the lab file if it runs a Docker engine.' },
      ),
    );
  });

  it('names the closest hosts for an unknown id', () => {
    expect(() => dockerParentFor(lab, pool, 'peper_seed')).toThrow(
      /No host "peper_seed".*pepper_seed/,
    );
  });
});

describe('dockerParentIds', () => {
  it('lists local first, then the docker-capable hosts', () => {
    expect(dockerParentIds(lab)).toEqual(['local', 'pepper_seed']);
  });
});
