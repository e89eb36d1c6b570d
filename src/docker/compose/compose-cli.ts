import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findProgram, runChild } from '../../common/child-process.js';
import { AbortedError, DockerError, isOttoError, tailLines } from '../../errors.js';

/**
 * The compose CLI: the `docker compose` plugin (v2) where one is installed, else the standalone
 * `docker-compose` (Debian's is v1). The plugin is found the way the docker CLI finds it, by its
 * file in the plugin folders, so detection spawns nothing. Nothing is cached across processes.
 */

/** A compose program and how to call it. */
export interface ComposeCli {
  /** The program run. */
  file: string;
  /** `plugin` (v2, run directly as `docker-compose`-style standalone) or `standalone`. */
  kind: 'plugin' | 'standalone';
}

/** The folders the docker CLI looks for plugins in, in its order. */
export function composePluginPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const config = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  return [
    join(config, 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ].map((dir) => join(dir, 'docker-compose'));
}

/**
 * Finds the compose CLI of this machine; neither present is a DockerError `COMPOSE_NOT_FOUND`
 * saying what to install.
 * @example const cli = await findComposeCli();
 */
export async function findComposeCli(
  env: NodeJS.ProcessEnv = process.env,
  pluginPaths: readonly string[] = composePluginPaths(env),
): Promise<ComposeCli> {
  for (const path of pluginPaths)
    if (await isExecutable(path)) return { file: path, kind: 'plugin' };
  const standalone = await findProgram('docker-compose');
  if (standalone) return { file: standalone, kind: 'standalone' };
  throw new DockerError(
    'COMPOSE_NOT_FOUND',
    'No compose CLI on this machine: neither the `docker compose` plugin nor `docker-compose` is installed.',
    {
      fix: 'install one: on Debian `apt-get install docker-compose`, or the docker-compose-plugin package of Docker.',
    },
  );
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** One call of the compose CLI on one project. */
export interface ComposeCall {
  cli: ComposeCli;
  /** The compose project name (`-p`). */
  project: string;
  /** Compose files in precedence order (`-f` each); the first one's folder is the project's. */
  files: readonly string[];
  /** `DOCKER_HOST` for the call: the engine the stack runs on. */
  dockerHost: string;
  /** The arguments after the global ones, e.g. `['up', '-d']`. */
  args: readonly string[];
  /** Each output line as it arrives. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Runs the compose CLI and returns its output. A failure is a DockerError `COMPOSE_FAILED` naming
 * the compose file and the project, with compose's own message (its stderr) as the output tail.
 */
export async function runCompose(call: ComposeCall): Promise<string> {
  const argv = ['-p', call.project, ...call.files.flatMap((file) => ['-f', file]), ...call.args];
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: call.dockerHost };
  // The project and files are ours to name: the user's environment must not redirect them.
  delete env.COMPOSE_PROJECT_NAME;
  delete env.COMPOSE_FILE;
  try {
    const result = await runChild(call.cli.file, argv, {
      env,
      check: false,
      signal: call.signal,
      onLine: call.onLine && ((line) => call.onLine!(line)),
    });
    if (result.exitCode === 0) return result.stdout;
    throw composeFailed(call, `exit code ${result.exitCode}`, result.stderr || result.stdout);
  } catch (error) {
    if (call.signal?.aborted)
      throw new AbortedError(`Aborted compose ${call.args[0]} of project "${call.project}".`, {
        cause: error,
      });
    if (isOttoError(error)) throw error;
    throw composeFailed(call, (error as Error).message, '', error);
  }
}

function composeFailed(
  call: ComposeCall,
  why: string,
  output: string,
  cause?: unknown,
): DockerError {
  const action = call.args[0] ?? 'compose';
  return new DockerError(
    'COMPOSE_FAILED',
    `compose ${action} of project "${call.project}" (${call.files[0]}) failed: ${why}.`,
    {
      operation: `${call.cli.file} ${call.args.join(' ')}`,
      transport: call.dockerHost,
      outputTail: output ? tailLines(output, 30) : undefined,
      cause,
    },
  );
}
