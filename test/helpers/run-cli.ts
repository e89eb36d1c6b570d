import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI; `npm test` builds it before the tests run. */
export const OTTO_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** What a finished `otto` process printed and returned. */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Spawns the built `otto` with arguments and collects its output. After `timeoutMs` (default
 * 60 s) it is killed and the result says so on stderr, with exit code -1: a hang fails the test
 * that waits on it, and leaves nothing behind.
 */
export function runCli(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    timeoutMs?: number;
    /** Written to its stdin, which then ends (e.g. the lines typed into a `login`). */
    input?: string;
  } = {},
): Promise<CliResult> {
  const startMs = performance.now();
  const child = spawn(process.execPath, [OTTO_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let hasTimedOut = false;
  const timer = setTimeout(() => {
    hasTimedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const note = hasTimedOut
        ? `\n[runCli: killed after ${options.timeoutMs ?? 60_000} ms]\n`
        : '';
      resolve({
        exitCode: hasTimedOut ? -1 : (code ?? 1),
        stdout,
        stderr: stderr + note,
        durationMs: performance.now() - startMs,
      });
    });
  });
}
