import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CommandError, ConfigError, isOttoError } from '../../errors.js';
import { commandFailure, type RunResult } from '../../hosts/command-result.js';
import type { Host } from '../../hosts/host.js';
import { composePlaceholders } from '../../lab/compose-placeholders.js';
import { emptyLab, withHostOverrides } from '../../lab/lab-host-pool.js';
import { checkLabHostSupported } from '../../lab/lab-hosts.js';
import { requireRepos } from '../../lab/repos.js';
import type { Repo } from '../../lab/settings.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { Invocation } from '../invocation/invocation.js';
import { processSecrets } from '../../common/secret-masker.js';
import { EXIT_FAILURE } from '../report-failure.js';
import { createTransferProgress } from '../transfer-progress.js';

/** What `otto host <id> <action>` does. */
export type HostAction = 'run' | 'put' | 'get' | 'login';

/** The flags of `otto host`. */
export interface HostFlags {
  hop?: string;
  term?: 'ssh' | 'telnet';
  transfer?: 'scp' | 'sftp' | 'ftp' | 'nc' | 'shell' | 'auto';
}

/**
 * `otto host <id> run CMD...`, `put SRC... DEST_DIR`, `get SRC... DEST_DIR` and `login`, on one
 * lab host, after the reservation gate. `--hop`, `--term` and `--transfer` override the lab for
 * this invocation. Exit code 1 when a command fails or the host cannot be reached (the reason is
 * printed and logged), 2 for a mistake in the arguments, 130 after Ctrl-C.
 */
export async function hostCommand(
  globalFlags: GlobalFlags,
  id: string,
  action: HostAction,
  args: readonly string[],
  flags: HostFlags,
): Promise<number> {
  const options = resolveGlobalOptions(globalFlags);
  checkArgs(action, args);
  if (action === 'put') await checkLocalSources(id, args.slice(0, -1));
  const repos = await requireRepos();
  const invocation = await Invocation.start(options, {
    command: 'host',
    name: action,
    repos,
    // The services of stacks on this machine are hosts without any lab.
    needsLab: options.labNames.length === 0 && !(await hasLocalServiceHosts(repos)),
    gated: true,
    hostIds: [id],
    prepareLab: (lab) => {
      // Not in the lab's files: a compose service (the host pool knows those), or unknown.
      if (!lab.hosts.has(id) && !flags.hop && !flags.term && !flags.transfer) return lab;
      const adjusted = withHostOverrides(lab, id, flags);
      if (!options.dryRun) checkLabHostSupported(adjusted, id);
      return adjusted;
    },
  });
  return invocation.complete((signal) =>
    runAction(invocation.pool.get(id), action, args, signal, invocation),
  );
}

async function hasLocalServiceHosts(repos: readonly Repo[]): Promise<boolean> {
  return (await composePlaceholders(repos, emptyLab())).length > 0;
}

function checkArgs(action: HostAction, args: readonly string[]): void {
  const need =
    action === 'run'
      ? args.length >= 1 || 'at least one command'
      : action === 'login'
        ? args.length === 0 || 'no arguments'
        : args.length >= 2 || 'one or more sources and a destination folder';
  if (need !== true)
    throw new ConfigError('USAGE', `otto host <id> ${action} takes ${need}.`, {
      fix: usageOf(action),
    });
}

/** A missing local source is the user's mistake: say so before anything connects. */
async function checkLocalSources(id: string, sources: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const source of sources)
    if (!(await stat(source).catch(() => undefined))) missing.push(resolve(source));
  if (missing.length > 0)
    throw new ConfigError(
      'LOCAL_SOURCE_NOT_FOUND',
      `No such local file or folder to put on host "${id}": ${missing.join(', ')}.`,
      {
        fix: 'otto host <id> put LOCAL... REMOTE_DIR: the sources are on this machine, the folder on the host.',
      },
    );
}

function usageOf(action: HostAction): string {
  return {
    run: "otto host <id> run 'command' ['command'...]",
    put: 'otto host <id> put LOCAL... REMOTE_DIR',
    get: 'otto host <id> get REMOTE... LOCAL_DIR',
    login: 'otto host <id> login',
  }[action];
}

async function runAction(
  host: Host,
  action: HostAction,
  args: readonly string[],
  signal: AbortSignal,
  invocation: Invocation,
): Promise<number> {
  if (action === 'run') return runCommands(host, args, signal, invocation);
  if (action === 'login') return logIn(host, invocation);
  const sources = args.slice(0, -1);
  const destination = args.at(-1)!;
  const progress = createTransferProgress();
  try {
    const transfer = action === 'put' ? host.put.bind(host) : host.get.bind(host);
    const result = await transfer(sources, destination, {
      onProgress: progress.onProgress,
      signal,
    });
    const bytes = result.files.reduce((sum, file) => sum + file.sizeBytes, 0);
    invocation.logger.info(
      `@${host.id} ${action}: ${result.files.length} file${result.files.length === 1 ? '' : 's'}, ${bytes} bytes in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    return 0;
  } finally {
    progress.done();
  }
}

/**
 * Runs the commands with their output streamed as it comes, secrets masked (the results keep only
 * a capped copy, so endless output neither waits nor grows memory). A command that could not run
 * or finish says why; one that failed says so.
 */
async function runCommands(
  host: Host,
  commands: readonly string[],
  signal: AbortSignal,
  invocation: Invocation,
): Promise<number> {
  const stdout = processSecrets.stream((chunk) => process.stdout.write(chunk));
  const stderr = processSecrets.stream((chunk) => process.stderr.write(chunk));
  let result: RunResult;
  try {
    result = await host.run(commands, {
      signal,
      output: (chunk, stream) => (stream === 'stderr' ? stderr : stdout).write(chunk),
    });
  } finally {
    stdout.end();
    stderr.end();
  }
  if (result.ok) return 0;
  const failed = result.results.find(
    (item) => item.status !== 'success' && item.status !== 'skipped',
  )!;
  // A command that could not run (no connection, a refused login, an unusable key) is failed
  // work: 1, whatever the error's class.
  if (failed.error) {
    invocation.report(failed.error);
    return EXIT_FAILURE;
  }
  // The output is on the console already: the first line of the failure is enough.
  const summary = commandFailure(failed, host.id).message.split('\n')[0]!;
  invocation.report(new CommandError('COMMAND_FAILED', summary, { host: host.id }));
  return EXIT_FAILURE;
}

/** Bridges the terminal to the host's shell, secrets masked; the transcript goes to otto.log. */
async function logIn(host: Host, invocation: Invocation): Promise<number> {
  const transcript: Buffer[] = [];
  const masked = processSecrets.stream((chunk) => process.stdout.write(chunk));
  const output = Object.assign(Object.create(process.stdout) as NodeJS.WriteStream, {
    write: (chunk: string | Uint8Array) => {
      const bytes = Buffer.from(chunk);
      transcript.push(bytes);
      masked.write(bytes);
      return true;
    },
  });
  try {
    await host.interact({ output });
  } catch (error) {
    if (!isOttoError(error)) throw error;
    // As for run: a shell that could not be opened (connection, login, key) is failed work.
    invocation.report(error);
    return EXIT_FAILURE;
  } finally {
    masked.end();
    if (transcript.length > 0)
      invocation.logger.debug(
        `@${host.id} login transcript:\n${Buffer.concat(transcript).toString()}`,
      );
  }
  return 0;
}
