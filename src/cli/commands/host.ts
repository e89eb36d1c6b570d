import { AbortedError, ConfigError } from '../../errors.js';
import type { Host } from '../../hosts/host.js';
import { withHostOverrides } from '../../lab/lab-host-pool.js';
import { checkLabHostSupported } from '../../lab/lab-hosts.js';
import { requireRepos } from '../../lab/repos.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { Invocation } from '../invocation/invocation.js';
import { runUntilInterrupted } from '../interrupt.js';
import { createTransferProgress } from '../transfer-progress.js';

/** What `otto host <id> <action>` does. */
export type HostAction = 'run' | 'put' | 'get' | 'login';

/** The flags of `otto host`. */
export interface HostFlags {
  hop?: string;
  term?: 'ssh' | 'telnet';
  transfer?: 'scp' | 'sftp' | 'ftp' | 'nc';
}

/**
 * `otto host <id> run CMD...`, `put SRC... DEST_DIR`, `get SRC... DEST_DIR` and `login`, on one
 * lab host, after the reservation gate. `--hop`, `--term` and `--transfer` override the lab for
 * this invocation. Exit code 1 when a command fails.
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
  const repos = await requireRepos();
  const invocation = await Invocation.start(options, {
    command: 'host',
    name: action,
    repos,
    needsLab: true,
    gated: true,
    prepareLab: (lab) => {
      const adjusted = withHostOverrides(lab, id, flags);
      if (!options.dryRun) checkLabHostSupported(adjusted, id);
      return adjusted;
    },
  });
  let exitCode = 1;
  try {
    const host = invocation.pool.get(id);
    exitCode = await runUntilInterrupted((signal) =>
      runAction(host, action, args, signal, invocation),
    );
    return exitCode;
  } finally {
    await invocation.finish(exitCode);
  }
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
  if (action === 'run') {
    // Output is streamed as it comes (the results keep only a capped copy), so endless output
    // neither waits nor grows memory.
    const result = await host.run(args, {
      signal,
      output: (chunk) => process.stdout.write(chunk),
    });
    const stopped = result.results.find((item) => item.error);
    if (stopped?.error) process.stderr.write(`otto: ${stopped.error.message.split('\n')[0]}\n`);
    if (stopped?.error instanceof AbortedError) return 130;
    return result.ok ? 0 : 1;
  }
  if (action === 'login') {
    const transcript: string[] = [];
    const output = Object.assign(Object.create(process.stdout) as NodeJS.WriteStream, {
      write: (chunk: string | Uint8Array) => {
        transcript.push(Buffer.from(chunk).toString());
        return process.stdout.write(chunk);
      },
    });
    await host.interact({ output });
    invocation.logger.debug(`@${host.id} login transcript:\n${transcript.join('')}`);
    return 0;
  }
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
