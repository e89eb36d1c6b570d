import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { spawnSync } from 'node:child_process';

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSshd, type LocalSshd } from '../../../test/helpers/local-sshd.js';
import { EngineClient } from './engine-client.js';

// DOCKER_HOST=ssh:// authenticates with the ssh-agent, as the docker CLI does: this file starts an
// agent holding the test key. HOME points at a temp folder so that the host key is recorded there,
// not in this machine's ~/.ssh/known_hosts (each test file runs in a process of its own).
let sshd: LocalSshd;
let agentPid: string | undefined;

beforeAll(async () => {
  sshd = await startLocalSshd();
  const home = await makeTempDir('otto-home-');
  const socket = join(home, 'agent.sock');
  const agent = spawnSync('ssh-agent', ['-a', socket], { encoding: 'utf8' });
  agentPid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1];
  process.env.SSH_AUTH_SOCK = socket;
  process.env.HOME = home;
  const added = spawnSync('ssh-add', [sshd.keys.privateKeyPath], {
    encoding: 'utf8',
    env: process.env,
  });
  expect(added.status).toBe(0);
}, 60_000);

afterAll(async () => {
  if (agentPid) process.kill(Number(agentPid));
  await sshd?.stop();
});

describe('EngineClient with DOCKER_HOST=ssh://', () => {
  it('reaches the engine socket over our own SSH connection, authenticated by the agent', async () => {
    const engine = EngineClient.fromEnvironment({
      DOCKER_HOST: `ssh://${sshd.username}@127.0.0.1:${sshd.port}`,
    });
    try {
      expect(engine.endpoint).toMatchObject({ kind: 'ssh', host: '127.0.0.1', port: sshd.port });
      expect(await engine.ping()).toBe(true);
      expect((await engine.version()).apiVersion).toMatch(/^1\.\d+$/);
    } finally {
      await engine.close();
    }
  });
});
