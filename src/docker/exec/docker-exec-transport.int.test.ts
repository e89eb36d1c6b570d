import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { waitUntil } from '../../common/deadline.js';
import { AbortedError, ClosedError } from '../../errors.js';
import type { ShellChannel } from '../../transports/transport.js';
import { StartedContainer } from '../containers/started-container.js';
import { EngineClient } from '../engine/engine-client.js';
import { DockerExecTransport } from './docker-exec-transport.js';

/** Collects a channel's output and waits for text to appear in it. */
function readChannel(channel: ShellChannel) {
  let text = '';
  const waiters = new Set<() => void>();
  channel.onData((chunk) => {
    text += chunk.toString('utf8');
    for (const wake of waiters) wake();
  });
  return {
    text: () => text,
    async waitFor(pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(text);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
        await new Promise<void>((resolve) => {
          waiters.add(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

function closedPromise(channel: ShellChannel): Promise<Error | undefined> {
  return new Promise((resolve) => channel.onClose(resolve));
}

/** Command lines of the container's processes, one per line, read from /proc. */
async function processList(transport: DockerExecTransport): Promise<string> {
  const script = `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f"; echo; done`;
  const outcome = await transport.exec(script, { timeoutMs: 10_000 });
  return outcome.stdout.toString();
}

/** Waits until a process whose command line contains `text` runs in the container. */
async function waitForProcess(transport: DockerExecTransport, text: string): Promise<void> {
  await waitUntil(async () => ((await processList(transport)).includes(text) ? true : undefined), {
    timeoutMs: 5000,
    intervalMs: 50,
    what: `\`${text}\` to run`,
  });
}

const IMAGES = ['busybox', 'debian'] as const;

describe.each(IMAGES)('DockerExecTransport on %s', (imageName) => {
  let container: StartedContainer;
  let transport: DockerExecTransport;

  beforeAll(async () => {
    container = await StartedContainer.start(engine, {
      image: inject('images')[imageName],
      cmd: ['sleep', '3600'],
      purpose: 'docker-exec-transport-test',
    });
    transport = new DockerExecTransport(engine, container.id, { closeTimeoutMs: 500 });
    await transport.open();
  });

  afterAll(async () => {
    await transport?.close();
    await container?.stop();
  });

  /** The host as messages name it. */
  const where = (): string =>
    `host "${container.name}" (container ${container.name} id ${container.id.slice(0, 12)} at unix:///var/run/docker.sock) [docker-exec]`;

  it('names the container and the engine in its address', () => {
    expect(transport.kind).toBe('docker-exec');
    expect(transport.address).toBe(
      `container ${container.name} id ${container.id.slice(0, 12)} at unix:///var/run/docker.sock`,
    );
  });

  it('returns exit code, stdout and stderr apart, and both in arrival order', async () => {
    const outcome = await transport.exec('echo out; sleep 0.2; echo err >&2; exit 3', {
      timeoutMs: 10_000,
    });
    expect(outcome).toMatchObject({ exitCode: 3 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.stdout.toString()).toBe('out\n');
    expect(outcome.stderr.toString()).toBe('err\n');
    expect(outcome.output.toString()).toBe('out\nerr\n');
  });

  it('runs argv without a shell and a string in sh -c, with extra environment', async () => {
    const argv = await transport.exec(['echo', '$HOME', 'a b'], { timeoutMs: 10_000 });
    expect(argv.stdout.toString()).toBe('$HOME a b\n');
    const text = await transport.exec('echo "$GREETING, $WHO"', {
      timeoutMs: 10_000,
      env: { GREETING: 'hello', WHO: 'you there' },
    });
    expect(text.stdout.toString()).toBe('hello, you there\n');
    const missing = await transport.exec(['no-such-program'], { timeoutMs: 10_000 });
    expect(missing.exitCode).toBe(126);
    expect(missing.output.toString()).toContain(
      'exec: "no-such-program": executable file not found in $PATH',
    );
  });

  it('reports each chunk as it arrives', async () => {
    const chunks: string[] = [];
    // The engine copies stdout and stderr from separate pipes: only writes apart in time keep their order.
    await transport.exec('echo one; sleep 0.2; echo two >&2', {
      timeoutMs: 10_000,
      onOutput: (chunk, stream) => chunks.push(`${stream}:${chunk.toString()}`),
    });
    expect(chunks.join('')).toBe('stdout:one\nstderr:two\n');
  });

  it('keeps the outputs of 100 concurrent commands apart', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        transport.exec(`echo start-${index}; echo err-${index} >&2; echo end-${index}`, {
          timeoutMs: 60_000,
        }),
      ),
    );
    outcomes.forEach((outcome, index) => {
      expect(outcome.exitCode).toBe(0);
      expect(outcome.stdout.toString()).toBe(`start-${index}\nend-${index}\n`);
      expect(outcome.stderr.toString()).toBe(`err-${index}\n`);
    });
  });

  it('kills a command at its deadline and returns its output so far', async () => {
    const startMs = performance.now();
    const outcome = await transport.exec('echo started; sleep 31; echo never', {
      timeoutMs: 800,
    });
    expect(performance.now() - startMs).toBeLessThan(3000);
    expect(outcome).toMatchObject({ exitCode: -1 });
    expect(outcome.signal).toBeUndefined();
    expect(outcome.stdout.toString()).toBe('started\n');
    expect(outcome.error?.message).toBe(
      `Timed out after 800ms running \`echo started; sleep 31; echo never\` on ${where()}.\n  | started`,
    );
    expect(outcome.error).toMatchObject({ code: 'COMMAND_TIMEOUT', name: 'TimeoutError' });
    expect(await processList(transport)).not.toContain('sleep 31');
  });

  it('stops a command when the caller aborts, with an AbortedError that keeps the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('enough waiting');
    setTimeout(() => controller.abort(reason), 300);
    const outcome = await transport.exec('echo begun; sleep 32', {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    expect(outcome).toMatchObject({ exitCode: -1, stdout: Buffer.from('begun\n') });
    expect(outcome.error).toBeInstanceOf(AbortedError);
    expect(outcome.error?.message).toBe(
      `Aborted running \`echo begun; sleep 32\` on ${where()}: enough waiting.\n  | begun`,
    );
    expect(outcome.error?.cause).toBe(reason);
    expect(await processList(transport)).not.toContain('sleep 32');
  });

  it('runs nothing for a signal that is already aborted', async () => {
    const before = await processList(transport);
    const outcome = await transport.exec('sleep 34', {
      timeoutMs: 60_000,
      signal: AbortSignal.abort('too late'),
    });
    expect(outcome).toMatchObject({ exitCode: -1, droppedBytes: 0 });
    expect(outcome.output.length).toBe(0);
    expect(outcome.error?.message).toBe(`Aborted running \`sleep 34\` on ${where()}: too late.`);
    expect(await processList(transport)).toBe(before);
  });

  it('caps the output it keeps, counts what it dropped and streams every byte', async () => {
    let streamedBytes = 0;
    const outcome = await transport.exec('head -c 3000000 /dev/zero; echo end >&2', {
      timeoutMs: 60_000,
      maxOutputBytes: 1_000_000,
      onOutput: (chunk) => (streamedBytes += chunk.length),
    });
    expect(outcome).toMatchObject({ exitCode: 0, droppedBytes: 2_000_004 });
    expect(outcome.stdout.length).toBeLessThan(1_000_200);
    expect(outcome.stderr.toString()).toBe('end\n');
    expect(outcome.output.toString('latin1')).toContain(
      '[otto-ts: 1.9 MiB of output dropped here (kept the first and last 488.3 KiB)',
    );
    expect(streamedBytes).toBe(3_000_004);
  });

  it('opens a shell without a TTY whose state persists and which closes on exit', async () => {
    const stderr: string[] = [];
    const shells = new DockerExecTransport(engine, container.id, {
      onShellStderr: (chunk) => stderr.push(chunk.toString()),
    });
    const channel = await shells.openShell({ pty: false });
    expect(channel.hasPty).toBe(false);
    const output = readChannel(channel);
    const closed = closedPromise(channel);
    channel.write('echo hi\n');
    await output.waitFor(/^hi\n$/);
    channel.write('x=42; echo oops >&2\n');
    channel.write('echo "x is $x"\n');
    await output.waitFor(/x is 42\n$/);
    expect(output.text()).toBe('hi\nx is 42\n');
    // The engine copies stdout and stderr apart: their relative order is not kept.
    await waitUntil(() => Promise.resolve(stderr.length > 0 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'the shell to print on stderr',
    });
    expect(stderr.join('')).toBe('oops\n');
    channel.write('exit\n');
    expect(await closed).toBeUndefined();
    await channel.close();
    await shells.close();
  });

  it('opens a shell on a TTY with TERM, a size and resize', async () => {
    const channel = await transport.openShell({ pty: true, term: 'xterm', cols: 100, rows: 30 });
    expect(channel.hasPty).toBe(true);
    const output = readChannel(channel);
    const closed = closedPromise(channel);
    channel.write('echo "term=$TERM"\n');
    // The shell's first prompt may come before or after the echo of the input: anchor on the
    // output line's end, which the echoed input ("term=$TERM") cannot match.
    await output.waitFor(/term=xterm\r\n/);
    channel.write('stty size\n');
    await output.waitFor(/(?:^|[\n ])30 100\r\n/);
    channel.resize?.(120, 40);
    // The resize is sent in the background: ask for the size until it shows.
    await waitUntil(
      () => {
        if (/(?:^|[\n ])40 120\r\n/.test(output.text())) return Promise.resolve(true);
        channel.write('stty size\n');
        return Promise.resolve(undefined);
      },
      { timeoutMs: 5000, intervalMs: 50, what: 'the terminal to be 120x40' },
    );
    channel.write('exit\n');
    expect(await closed).toBeUndefined();
  });

  it('interrupts the foreground command of a shell without a TTY', async () => {
    const channel = await transport.openShell({ pty: false });
    const output = readChannel(channel);
    channel.write('echo "pid=$$"\n');
    const [, pid] = await output.waitFor(/pid=(\d+)\n/);
    channel.write('sleep 100; echo "after=$?"\n');
    await waitForProcess(transport, 'sleep 100');
    const startMs = performance.now();
    await channel.interrupt(Number(pid));
    await output.waitFor(/after=130\n/);
    expect(performance.now() - startMs).toBeLessThan(3000);
    await channel.close();
  });

  it('interrupts the foreground command of a shell on a TTY with Ctrl-C', async () => {
    const channel = await transport.openShell({ pty: true });
    const output = readChannel(channel);
    channel.write('sleep 101\n');
    await waitForProcess(transport, 'sleep 101');
    await channel.interrupt(undefined);
    channel.write('echo "after=$?"\n');
    await output.waitFor(/after=130\r\n/);
    await channel.close();
  });

  it.each([false, true])(
    'closes a busy shell (pty: %s) and ends it with its background jobs',
    async (pty) => {
      const channel = await transport.openShell({ pty });
      const closed = closedPromise(channel);
      channel.write('sleep 1033 & sleep 33\n');
      await waitForProcess(transport, 'sleep 33');
      const startMs = performance.now();
      await Promise.all([channel.close(), channel.close()]);
      await channel.close();
      expect(performance.now() - startMs).toBeLessThan(3000);
      expect(await closed).toBeUndefined();
      const left = await processList(transport);
      expect(left).not.toContain('sleep 33');
      expect(left).not.toContain('sleep 1033');
    },
  );
});

describe('DockerExecTransport once closed', () => {
  it('refuses every call with a ClosedError naming the host, and closes once', async () => {
    await using container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['sleep', '3600'],
      purpose: 'docker-exec-transport-test',
    });
    const transport = new DockerExecTransport(engine, container.id, { hostId: 'web-1' });
    const channel = await transport.openShell({ pty: false });
    const running = transport.exec('sleep 35', { timeoutMs: 60_000 });
    await waitForProcess(transport, 'sleep 35');
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    const stopped = await running;
    const where = `host "web-1" (container ${container.name} id ${container.id.slice(0, 12)} at unix:///var/run/docker.sock) [docker-exec]`;
    expect(stopped.error).toBeInstanceOf(AbortedError);
    expect(stopped.error?.message).toBe(
      `Aborted running \`sleep 35\` on ${where}: the transport was closed.`,
    );
    expect(await closedPromise(channel)).toBeUndefined();
    for (const [call, action] of [
      [() => transport.open(), 'run anything'],
      [() => transport.openShell({ pty: false }), 'open a shell'],
      [() => transport.openShell({ pty: true }), 'open a shell on a TTY'],
      [() => transport.exec(['echo', 'hi there'], { timeoutMs: 5000 }), "run `echo 'hi there'`"],
    ] as const) {
      const error = await call().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ClosedError);
      expect((error as Error).message).toBe(`Cannot ${action} on ${where}: it was closed.`);
    }
    // Nothing was reopened behind the caller.
    const observer = new DockerExecTransport(engine, container.id);
    const left = await processList(observer);
    await observer.close();
    expect(left).not.toContain('sleep 35');
    expect(left.split('\n').filter((line) => /^sh\s*$/.test(line))).toEqual([]);
  });

  it('closes the engine client too when asked to', async () => {
    await using container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['sleep', '3600'],
      purpose: 'docker-exec-transport-test',
    });
    const own = EngineClient.fromEnvironment();
    const transport = new DockerExecTransport(own, container.id, { closeEngine: true });
    expect((await transport.exec('echo hi', { timeoutMs: 5000 })).stdout.toString()).toBe('hi\n');
    await transport.close();
    expect(own.isClosed).toBe(true);
    await expect(own.ping()).resolves.toBe(false);
  });
});

describe('DockerExecTransport on a container that does not run', () => {
  it('says so, naming the container, when opened and when a command runs', async () => {
    await using container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['sleep', '3600'],
      purpose: 'docker-exec-transport-test',
    });
    const opened = new DockerExecTransport(engine, container.id);
    await opened.open();
    await engine.json({
      method: 'POST',
      path: `/containers/${container.id}/kill`,
      okStatus: [204],
    });
    await engine.json({ method: 'POST', path: `/containers/${container.id}/wait` });
    const fix = 'Fix: start the container again; its logs may say why it stopped.';
    const where = `host "${container.name}" (container ${container.name} id ${container.id.slice(0, 12)} at unix:///var/run/docker.sock) [docker-exec]`;
    await expect(opened.exec(['echo', 'hi there'], { timeoutMs: 5000 })).rejects.toThrow(
      `Cannot run \`echo 'hi there'\` on ${where}: the container is not running.\n${fix}`,
    );
    const fresh = new DockerExecTransport(engine, container.id);
    await expect(fresh.openShell({ pty: false })).rejects.toMatchObject({
      code: 'CONTAINER_NOT_RUNNING',
      message: `Cannot open a shell on ${where}: the container is not running.\n${fix}`,
    });
    await expect(new DockerExecTransport(engine, container.id).open()).rejects.toThrow(
      `Cannot run anything on ${where}: the container is not running.\n${fix}`,
    );
  });

  it('says when there is no such container', async () => {
    const transport = new DockerExecTransport(engine, 'otto-no-such-container');
    expect(transport.address).toBe(
      'container otto-no-such-container at unix:///var/run/docker.sock',
    );
    await expect(transport.exec('true', { timeoutMs: 5000 })).rejects.toThrow(
      'Cannot run `true` on host "otto-no-such-container" (container otto-no-such-container at unix:///var/run/docker.sock) [docker-exec]: there is no such container.',
    );
  });
});
