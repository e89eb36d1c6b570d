import { describe, expect, it } from 'vitest';
import { composePluginPaths, findComposeCli } from './compose-cli.js';

describe('composePluginPaths', () => {
  it('lists the folders the docker CLI looks in, DOCKER_CONFIG first', () => {
    expect(composePluginPaths({ HOME: '/home/al' })).toEqual([
      '/home/al/.docker/cli-plugins/docker-compose',
      '/usr/local/lib/docker/cli-plugins/docker-compose',
      '/usr/local/libexec/docker/cli-plugins/docker-compose',
      '/usr/lib/docker/cli-plugins/docker-compose',
      '/usr/libexec/docker/cli-plugins/docker-compose',
    ]);
    expect(composePluginPaths({ DOCKER_CONFIG: '/etc/dc' })[0]).toBe(
      '/etc/dc/cli-plugins/docker-compose',
    );
  });
});

describe('findComposeCli', () => {
  it('says what to install when neither the plugin nor docker-compose is there', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(findComposeCli({}, [])).rejects.toMatchObject({
        code: 'COMPOSE_NOT_FOUND',
        message:
          'No compose CLI on this machine: neither the `docker compose` plugin nor `docker-compose` is installed.\nFix: install one: on Debian `apt-get install docker-compose`, or the docker-compose-plugin package of Docker.',
      });
    } finally {
      process.env.PATH = path;
    }
  });
});
