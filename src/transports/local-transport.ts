import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { TimeoutError } from '../errors.js';
import type {
  ExecOptions,
  ExecOutcome,
  ShellChannel,
  ShellChannelOptions,
  Transport,
} from './transport.js';

/**
 * The machine otto-ts runs on. Shells run over pipes: no native addon is needed, bytes pass
 * exactly (binary output, CRLF), stderr stays apart and nothing is echoed. Interrupting the
 * foreground command is done by signalling the shell's children, found in /proc. When a terminal
 * is asked for (prompts such as sudo's need one), util-linux `script` provides the PTY.
 */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly address = 'this machine';

  /** Nothing to open: the machine is always there. */
  async open(): Promise<void> {}

  openShell(options: ShellChannelOptions): Promise<ShellChannel> {
    const child = options.pty
      ? spawn('script', ['-q', '-f', '-e', '-c', options.shell ?? 'sh -i', '/dev/null'], {
          env: { ...process.env, TERM: options.term ?? 'dumb' },
        })
      : spawn(options.shell ?? 'sh', [], { env: process.env });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(new LocalShellChannel(child, options.pty)));
    });
  }

  exec(command: string | readonly string[], options: ExecOptions): Promise<ExecOutcome> {
    const child =
      typeof command === 'string'
        ? spawn('sh', ['-c', command], { env: { ...process.env, ...options.env }, detached: true })
        : spawn(command[0]!, command.slice(1), {
            env: { ...process.env, ...options.env },
            detached: true,
          });
    return collectChild(child, describeCommand(command), options);
  }

  /** Nothing to close. */
  async close(): Promise<void> {}
}

function describeCommand(command: string | readonly string[]): string {
  return typeof command === 'string' ? command : command.join(' ');
}

/** Collects a child's output; on timeout or abort kills its process group. */
function collectChild(
  child: ChildProcessWithoutNullStreams,
  command: string,
  options: ExecOptions,
): Promise<ExecOutcome> {
  const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[], output: [] as Buffer[] };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (chunk: Buffer) => {
      parts[stream].push(chunk);
      parts.output.push(chunk);
      options.onOutput?.(chunk, stream);
    });
  }
  child.stdin.end();
  return new Promise((resolve) => {
    let error: Error | undefined;
    const stop = (reason: Error): void => {
      error = reason;
      killGroup(child.pid);
    };
    const timer = setTimeout(
      () =>
        stop(
          new TimeoutError(
            'COMMAND_TIMEOUT',
            `Timed out after ${options.timeoutMs}ms running \`${command}\` on this machine [local].`,
          ),
        ),
      options.timeoutMs,
    );
    const onAbort = (): void =>
      stop(
        new TimeoutError(
          'COMMAND_ABORTED',
          `The command \`${command}\` on this machine [local] was aborted by its caller.`,
        ),
      );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (spawnError) => (error = spawnError));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const join = (list: Buffer[]): Buffer => Buffer.concat(list);
      resolve({
        exitCode: error ? -1 : (code ?? 128),
        ...(signal ? { signal } : {}),
        stdout: join(parts.stdout),
        stderr: join(parts.stderr),
        output: join(parts.output),
        ...(error ? { error } : {}),
      });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A local shell over pipes (or over `script`'s terminal). */
class LocalShellChannel implements ShellChannel {
  private closed = false;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly hasPty: boolean,
  ) {
    // A shell whose reader went away must not take the process down with EPIPE.
    child.stdin.on('error', () => undefined);
    // The shell itself rarely writes to stderr (commands are framed with 2>&1), but an unread pipe would block it.
    child.stderr.resume();
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.child.stdout.on('data', listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.child.once('close', () => {
      this.closed = true;
      listener();
    });
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.child.stdin.write(data);
  }

  async interrupt(shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    if (this.hasPty && signal === 'INT') return void this.write('\x03');
    for (const pid of await findChildren(shellPid ?? this.child.pid!)) {
      try {
        process.kill(pid, signal === 'INT' ? 'SIGINT' : 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }
}

/** Pids whose parent is `parentPid`, from /proc/<pid>/stat (`pid (comm) state ppid ...`). */
async function findChildren(parentPid: number): Promise<number[]> {
  const children: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parentPid) children.push(Number(name));
  }
  return children;
}
