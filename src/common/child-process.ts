import { spawn, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CommandError } from '../errors.js';
import { tailLines } from '../errors.js';

/** Outcome of a finished child process. */
export interface ChildResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runChild}. */
export interface RunChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each line of stdout and stderr as it arrives (for progress). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Throw a {@link CommandError} on a non-zero exit. @default true */
  check?: boolean;
  /** Keep at most this many characters of each stream. @default 1_000_000 */
  maxBufferChars?: number;
  signal?: AbortSignal;
}

/**
 * Runs a local program (argv, no shell) to completion and collects its output.
 * @example const { stdout } = await runChild('uname', ['-r']);
 */
export function runChild(
  file: string,
  args: readonly string[],
  options: RunChildOptions = {},
): Promise<ChildResult> {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  if (options.signal) spawnOptions.signal = options.signal;
  const child = spawn(file, args, spawnOptions);
  const limit = options.maxBufferChars ?? 1_000_000;
  const collected = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[name]!, crlfDelay: Infinity }).on('line', (line) => {
      collected[name] = keepTail(collected[name] + line + '\n', limit);
      options.onLine?.(line, name);
    });
  }
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      // An abort kills a running child: settle once it is gone, so nothing it does comes after.
      const isRunning = child.pid !== undefined && child.exitCode === null;
      if (isRunning) child.once('close', () => reject(spawnFailure(file, args, error)));
      else reject(spawnFailure(file, args, error));
    });
    child.on('close', (code, signal) => {
      const result = { exitCode: code ?? 128 + signalNumber(signal), ...collected };
      if (result.exitCode !== 0 && options.check !== false) reject(exitFailure(file, args, result));
      else resolve(result);
    });
  });
}

function keepTail(text: string, limit: number): string {
  return text.length > limit ? text.slice(text.length - limit) : text;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1;
}

function describe(file: string, args: readonly string[]): string {
  return [file, ...args].join(' ');
}

function spawnFailure(file: string, args: readonly string[], error: Error): CommandError {
  const reason =
    (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} is not installed` : error.message;
  return new CommandError(
    'COMMAND_NOT_STARTED',
    `Could not start \`${describe(file, args)}\` on this machine: ${reason}.`,
    {
      host: 'local',
      operation: describe(file, args),
      cause: error,
    },
  );
}

function exitFailure(file: string, args: readonly string[], result: ChildResult): CommandError {
  return new CommandError(
    'COMMAND_FAILED',
    `\`${describe(file, args)}\` failed with exit code ${result.exitCode} on this machine.`,
    {
      host: 'local',
      operation: describe(file, args),
      exitCode: result.exitCode,
      outputTail: tailLines(result.stderr || result.stdout),
    },
  );
}

/** Finds a program on PATH (and the sbin folders, which non-login root shells may lack). */
export async function findProgram(name: string): Promise<string | undefined> {
  const { access, constants } = await import('node:fs/promises');
  const folders = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const folder of folders.filter(Boolean)) {
    const candidate = `${folder}/${name}`;
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
