import { ConfigError } from '../../errors.js';

/** Where a Docker engine listens. */
export interface EngineEndpoint {
  /** `unix` socket, plain `tcp`, `tls` (tcp with certificates) or `ssh` (engine socket over SSH). */
  kind: 'unix' | 'tcp' | 'tls' | 'ssh';
  /** The endpoint as people write it, for messages: `unix:///var/run/docker.sock`. */
  url: string;
  /** Path of the engine's socket, for `unix`, e.g. `/var/run/docker.sock`. */
  socketPath?: string;
  /** Name or address of the engine's machine, for `tcp`, `tls` and `ssh`. */
  host?: string;
  /** TCP port, for `tcp` (default 2375), `tls` (default 2376) and `ssh` (default 22). */
  port?: number;
  /** SSH user, for `ssh`. @default the local user (`$USER`), else root */
  username?: string;
}

/** The engine socket every Linux installation uses. */
export const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';

/**
 * Reads the engine endpoint from `DOCKER_HOST` (unix://, tcp://, ssh://), or the default socket.
 * @example resolveEngineEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }).kind // 'tcp'
 */
export function resolveEngineEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const value = env.DOCKER_HOST?.trim();
  if (!value) return unixEndpoint(DEFAULT_SOCKET_PATH);
  if (value.startsWith('unix://'))
    return unixEndpoint(value.slice('unix://'.length) || DEFAULT_SOCKET_PATH);
  const url = parseUrl(value.includes('://') ? value : `tcp://${value}`);
  if (url.protocol === 'ssh:') {
    return {
      kind: 'ssh',
      url: value,
      host: url.hostname,
      port: Number(url.port || 22),
      username: url.username || undefined,
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidDockerHost(value, `unsupported scheme "${url.protocol}"`);
  }
  const isTls = env.DOCKER_TLS_VERIFY === '1' || url.protocol === 'https:' || url.port === '2376';
  return {
    kind: isTls ? 'tls' : 'tcp',
    url: value,
    host: url.hostname,
    port: Number(url.port || (isTls ? 2376 : 2375)),
  };
}

function unixEndpoint(socketPath: string): EngineEndpoint {
  return { kind: 'unix', url: `unix://${socketPath}`, socketPath };
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw invalidDockerHost(text, 'it is not a URL');
  }
}

function invalidDockerHost(value: string, why: string): ConfigError {
  return new ConfigError('INVALID_DOCKER_HOST', `Invalid DOCKER_HOST "${value}": ${why}.`, {
    fix: 'use unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST.',
  });
}
