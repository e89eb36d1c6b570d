import { describe, expect, it } from 'vitest';
import { resolveEngineEndpoint } from './engine-endpoint.js';

describe('resolveEngineEndpoint', () => {
  it.each([
    [{}, { kind: 'unix', url: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' }],
    [
      { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
      {
        kind: 'unix',
        url: 'unix:///run/user/1000/docker.sock',
        socketPath: '/run/user/1000/docker.sock',
      },
    ],
    [
      { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
      { kind: 'tcp', url: 'tcp://127.0.0.1:2375', host: '127.0.0.1', port: 2375 },
    ],
    [
      { DOCKER_HOST: '127.0.0.1:2375' },
      { kind: 'tcp', url: '127.0.0.1:2375', host: '127.0.0.1', port: 2375 },
    ],
    [
      { DOCKER_HOST: 'tcp://127.0.0.1:2376' },
      { kind: 'tls', url: 'tcp://127.0.0.1:2376', host: '127.0.0.1', port: 2376 },
    ],
    [
      { DOCKER_HOST: 'tcp://127.0.0.1:4000', DOCKER_TLS_VERIFY: '1' },
      { kind: 'tls', url: 'tcp://127.0.0.1:4000', host: '127.0.0.1', port: 4000 },
    ],
    [
      { DOCKER_HOST: 'ssh://otto@lab-1:2222' },
      { kind: 'ssh', url: 'ssh://otto@lab-1:2222', host: 'lab-1', port: 2222, username: 'otto' },
    ],
  ])('reads %j', (env, expected) => {
    expect(resolveEngineEndpoint(env)).toEqual(expected);
  });

  it('refuses an unknown scheme and says what works', () => {
    expect(() => resolveEngineEndpoint({ DOCKER_HOST: 'ftp://x' })).toThrow(
      'Invalid DOCKER_HOST "ftp://x": unsupported scheme "ftp:".\nFix: use unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST.',
    );
  });
});
