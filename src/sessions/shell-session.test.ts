import { describe, expect, it } from 'vitest';
import { AbortedError, ClosedError, ConnectionError, TimeoutError } from '../errors.js';
import type { ShellChannel } from '../transports/transport.js';
import { ShellSession, type ShellSessionOptions } from './shell-session.js';

/** What the fake shell does with a framed command: print output, and end it or not. */
interface FakeBehaviour {
  /** Called for each framed command; `end(code)` prints its end marker. */
  onCommand(
    command: string,
    io: { print: (text: string) => void; end: (code: number) => void },
  ): void;
  /** Whether the shell answers the recovery probe after interrupts with these signals so far. */
  recovers?(signals: readonly string[]): boolean;
}

/**
 * A shell channel that speaks the framing protocol by reading the frames it is sent, so that the
 * session's timeout, interrupt, SIGKILL and dead-shell paths run without any real shell.
 */
class FakeChannel implements ShellChannel {
  readonly hasPty: boolean;
  shellPid?: number;
  readonly written: string[] = [];
  readonly signals: string[] = [];
  closeCount = 0;
  private onDataListener?: (chunk: Buffer) => void;
  private onCloseListener?: (error?: Error) => void;
  private base = '';

  constructor(
    private readonly behaviour: FakeBehaviour,
    options: { hasPty?: boolean; crlf?: boolean } = {},
  ) {
    this.hasPty = options.hasPty ?? false;
    this.crlf = options.crlf ?? false;
  }

  /** The terminal turns `\n` into `\r\n` (output post-processing on). */
  crlf: boolean;

  onData(listener: (chunk: Buffer) => void): void {
    this.onDataListener = listener;
  }

  onClose(listener: (error?: Error) => void): void {
    this.onCloseListener = listener;
  }

  write(data: string | Buffer): void {
    const text = data.toString();
    this.written.push(text);
    const ready = /'(__OTTO_[0-9a-f]+_)' 'READY'/.exec(text);
    if (ready) {
      this.base = ready[1]!;
      return this.emit(`\n${this.base}READY_raw_4242__\n`);
    }
    const recovery = /'R(\d+)_'/.exec(text);
    if (recovery) {
      if (this.behaviour.recovers?.(this.signals) ?? true)
        this.emit(`${this.base}R${recovery[1]}_130__\n`);
      return;
    }
    const frame = /'B(\d+)__'/.exec(text);
    if (!frame) return;
    if (/^stty -echo -opost/.test(text)) this.crlf = false;
    const seq = frame[1]!;
    const command = [...text.matchAll(/^(?:__otto_c=)?'(.*)'\\?$/gm)]
      .map((match) => match[1]!.replace(/'\\''/g, "'"))
      .join('');
    this.emit(`${this.base}B${seq}__\n`);
    this.behaviour.onCommand(command, {
      print: (output) => this.emit(output),
      end: (code) => this.emit(`${this.base}E${seq}_${code}__`),
    });
  }

  interrupt(_shellPid: number | undefined, signal: 'INT' | 'KILL' = 'INT'): Promise<void> {
    this.signals.push(signal);
    return Promise.resolve();
  }

  /** Ends the channel from the far side, as a dropped connection does. */
  drop(error?: Error): void {
    this.onCloseListener?.(error);
  }

  close(): Promise<void> {
    this.closeCount++;
    return Promise.resolve();
  }

  private emit(text: string): void {
    const shown = this.crlf ? text.replace(/\n/g, '\r\n') : text;
    queueMicrotask(() => this.onDataListener?.(Buffer.from(shown)));
  }
}

/** Echoes `echo X` commands, never ends `hang`, exits for `exit`. */
const ECHO_SHELL: FakeBehaviour = {
  onCommand(command, io) {
    if (command === 'hang') return io.print('partial\n');
    if (command.startsWith('echo ')) io.print(`${command.slice(5)}\n`);
    io.end(0);
  },
};

function createSession(
  channels: FakeChannel[],
  behaviour: FakeBehaviour = ECHO_SHELL,
  overrides: Partial<ShellSessionOptions> = {},
  channelOptions: { hasPty?: boolean; crlf?: boolean } = {},
): ShellSession {
  return new ShellSession({
    name: 'default',
    place: { host: 'fake-1', kind: 'local' },
    openChannel: () => {
      const channel = new FakeChannel(behaviour, channelOptions);
      channels.push(channel);
      return Promise.resolve(channel);
    },
    defaultTimeoutMs: 5000,
    openTimeoutMs: 1000,
    recoverTimeoutMs: 50,
    killTimeoutMs: 50,
    ...overrides,
  });
}

describe('ShellSession on a fake shell', () => {
  it('runs framed commands on one channel and learns the shell pid', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels);
    expect(await session.run('echo one')).toMatchObject({ exitCode: 0, droppedBytes: 0 });
    expect((await session.run('echo two')).output.toString()).toBe('two\n');
    expect(channels).toHaveLength(1);
    expect(channels[0]!.shellPid).toBe(4242);
  });

  it('interrupts at the deadline and keeps the shell when SIGINT gives it back', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels);
    const outcome = await session.run('hang', { timeoutMs: 100 });
    expect(outcome.exitCode).toBe(-1);
    expect(outcome.output.toString()).toBe('partial\n');
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(outcome.error?.message).toBe(
      'Timed out after 100ms running `hang` on host "fake-1" [local].',
    );
    expect(channels[0]!.signals).toEqual(['INT']);
    expect(session.isAlive).toBe(true);
    expect((await session.run('echo again')).output.toString()).toBe('again\n');
    expect(channels).toHaveLength(1);
  });

  it('escalates to SIGKILL when SIGINT does not give the shell back', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels, {
      ...ECHO_SHELL,
      recovers: (signals) => signals.includes('KILL'),
    });
    const outcome = await session.run('hang', { timeoutMs: 100 });
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(channels[0]!.signals).toEqual(['INT', 'KILL']);
    expect(session.isAlive).toBe(true);
    expect(channels[0]!.closeCount).toBe(0);
  });

  it('gives up on a shell that answers neither, closes it, and opens a new one next time', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels, { ...ECHO_SHELL, recovers: () => false });
    const outcome = await session.run('hang', { timeoutMs: 100 });
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(channels[0]!.signals).toEqual(['INT', 'KILL']);
    expect(channels[0]!.closeCount).toBe(1);
    expect(session.isAlive).toBe(false);
    expect((await session.run('echo fresh')).output.toString()).toBe('fresh\n');
    expect(channels).toHaveLength(2);
  });

  it('reports a shell lost mid-command and reopens on the next call', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels, {
      onCommand: (command, io) => {
        if (command === 'exit') return void queueMicrotask(() => channels[0]!.drop());
        ECHO_SHELL.onCommand(command, io);
      },
    });
    const outcome = await session.run('exit');
    expect(outcome.error).toBeInstanceOf(ConnectionError);
    expect(outcome.error?.message).toBe(
      'The shell of host "fake-1" [local] ended while running `exit`; it is reopened on the next call.',
    );
    expect((await session.run('echo back')).output.toString()).toBe('back\n');
    expect(channels).toHaveLength(2);
  });

  it('ends a running command with a ClosedError on close, and refuses every later call', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels);
    const running = session.run('hang');
    const queued = session.run('echo queued');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([session.close(), session.close()]);
    const outcome = await running;
    expect(outcome.error).toBeInstanceOf(ClosedError);
    await expect(queued).rejects.toThrow(
      'Cannot run a command on host "fake-1" [local]: the session was closed.',
    );
    await expect(session.run('echo late')).rejects.toBeInstanceOf(ClosedError);
    await expect(session.send('x\n')).rejects.toBeInstanceOf(ClosedError);
    await expect(session.expect('x')).rejects.toBeInstanceOf(ClosedError);
    expect(channels).toHaveLength(1);
    expect(channels[0]!.closeCount).toBe(1);
  });

  it('opens nothing for a signal that is already aborted', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels);
    const reason = new Error('not now');
    const outcome = await session.run('echo never', { signal: AbortSignal.abort(reason) });
    expect(outcome.error).toBeInstanceOf(AbortedError);
    expect(outcome.error?.message).toBe(
      'Aborted running `echo never` on host "fake-1" [local]: not now.',
    );
    expect(outcome.error?.cause).toBe(reason);
    expect(channels).toHaveLength(0);
  });

  it('stops on an abort mid-command with an AbortedError and the output so far', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const outcome = await session.run('hang', { signal: controller.signal });
    expect(outcome.error).toBeInstanceOf(AbortedError);
    expect(outcome.error?.message).toBe('Aborted running `hang` on host "fake-1" [local].');
    expect(outcome.output.toString()).toBe('partial\n');
  });

  it('returns an error outcome naming the host when the shell cannot be opened', async () => {
    const session = new ShellSession({
      name: 'logs',
      place: { host: 'db-1', kind: 'ssh', transport: 'otto@10.0.0.5:22' },
      openChannel: () => Promise.reject(new Error('connection refused')),
      defaultTimeoutMs: 1000,
      openTimeoutMs: 1000,
      recoverTimeoutMs: 50,
      killTimeoutMs: 50,
    });
    const outcome = await session.run('true');
    expect(outcome.error?.message).toBe(
      'The shell of host "db-1" (otto@10.0.0.5:22) (session logs) [ssh] failed: connection refused',
    );
  });

  it('keeps at most maxOutputBytes and counts the rest, passing every byte to onOutput', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels, {
      onCommand: (_command, io) => {
        for (let index = 0; index < 10; index++) io.print('z'.repeat(1000));
        io.end(0);
      },
    });
    let streamed = 0;
    const outcome = await session.run('spam', {
      maxOutputBytes: 2000,
      onOutput: (chunk) => (streamed += chunk.length),
    });
    expect(outcome.droppedBytes).toBe(8000);
    expect(streamed).toBe(10_000);
    expect(outcome.output.toString()).toMatch(
      /^z{1000}\n\[otto-ts: 7\.8 KiB of output dropped here .*\]\nz{1000}$/,
    );
  });

  it('copes with a terminal that turns newlines into CRLF again, and puts it back in raw mode', async () => {
    const channels: FakeChannel[] = [];
    const session = createSession(channels, ECHO_SHELL, {}, { hasPty: true });
    await session.run('echo before');
    channels[0]!.crlf = true; // as `stty sane` does
    expect((await session.run('echo a')).output.toString()).toBe('a\n');
    expect((await session.run('echo b')).output.toString()).toBe('b\n');
    const next = channels[0]!.written.at(-1)!;
    expect(next.split('\n')[0]).toBe('stty -echo -opost 2>/dev/null');
    expect(channels[0]!.crlf).toBe(false);
  });
});
