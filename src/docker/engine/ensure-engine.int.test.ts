import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../errors.js';
import { EngineClient } from './engine-client.js';
import { ensureEngine } from './ensure-engine.js';

describe('ensureEngine', () => {
  it('does nothing when an engine answers', async () => {
    const startMs = performance.now();
    const status = await ensureEngine();
    expect(status).toMatchObject({
      wasRunning: true,
      installed: [],
      endpoint: 'unix:///var/run/docker.sock',
    });
    expect(status.apiVersion).toMatch(/^1\.\d+$/);
    expect(performance.now() - startMs).toBeLessThan(1000);
  });

  it('says which remote engine does not answer and never tries to start one there', async () => {
    const engine = EngineClient.fromEnvironment({ DOCKER_HOST: 'tcp://127.0.0.1:9' });
    const failure = await ensureEngine({ engine }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).message).toBe(
      'No Docker engine answers at tcp://127.0.0.1:9 (from DOCKER_HOST); otto-ts starts only a local engine.\nFix: start the engine on that machine, or unset DOCKER_HOST to use the local one.',
    );
  });
});

describe('EngineClient', () => {
  it('reports an unreachable engine with its address and the request', async () => {
    const engine = EngineClient.fromEnvironment({
      DOCKER_HOST: 'unix:///tmp/otto-no-such-engine.sock',
    });
    await expect(engine.version()).rejects.toThrow(
      'Cannot reach the Docker engine at unix:///tmp/otto-no-such-engine.sock for GET /version: ENOENT.',
    );
  });

  it("reports an engine refusal with the status and the engine's reason", async () => {
    const engine = EngineClient.fromEnvironment();
    await expect(
      engine.json({ method: 'GET', path: '/containers/otto-no-such-container/json' }),
    ).rejects.toThrow(
      'Engine request GET /containers/otto-no-such-container/json failed at unix:///var/run/docker.sock with HTTP 404: No such container: otto-no-such-container',
    );
  });
});
