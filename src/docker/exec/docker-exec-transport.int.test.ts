import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import type { ShellChannel } from '../../transports/transport.js';
import { StartedContainer } from '../containers/started-container.js';
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
    transport = new DockerExecTransport(engine, container.id, { shellCloseGraceMs: 500 });
    await transport.open();
  });

  afterAll(async () => {
    await transport?.close();
    await container?.stop();
  });

  it('names the container and the engine in its address', () => {
    expect(transport.kind).toBe('docker-exec');
    expect(transport.address).toBe(
      `container ${container.name} (${container.id.slice(0, 12)}) at unix:///var/run/docker.sock`,
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
    expect(outcome).toMatchObject({ exitCode: -1, signal: 'KILL' });
    expect(outcome.stdout.toString()).toBe('started\n');
    expect(outcome.error?.message).toBe(
      `Timed out after 800ms running \`echo started; sleep 31; echo never\` in container ${container.name} [docker-exec].\n  | started`,
    );
    expect(outcome.error).toMatchObject({ code: 'COMMAND_TIMEOUT', name: 'TimeoutError' });
    expect(await processList(transport)).not.toContain('sleep 31');
  });

  it('stops a command when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const outcome = await transport.exec('sleep 32', {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    expect(outcome.exitCode).toBe(-1);
    expect(outcome.error?.message).toMatch(
      new RegExp(
        `^Aborted after \\d+ms running \`sleep 32\` in container ${container.name} \\[docker-exec\\]\\.$`,
      ),
    );
    expect(await processList(transport)).not.toContain('sleep 32');
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
    for (let tries = 0; stderr.length === 0 && tries < 50; tries++)
      await new Promise((resolve) => setTimeout(resolve, 20));
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
    await new Promise((resolve) => setTimeout(resolve, 200));
    channel.write('stty size\n');
    await output.waitFor(/(?:^|[\n ])40 120\r\n/);
    channel.write('exit\n');
    expect(await closed).toBeUndefined();
  });

  it('interrupts the foreground command of a shell without a TTY', async () => {
    const channel = await transport.openShell({ pty: false });
    const output = readChannel(channel);
    channel.write('echo "pid=$$"\n');
    const [, pid] = await output.waitFor(/pid=(\d+)\n/);
    channel.write('sleep 100; echo "after=$?"\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const startMs = performance.now();
    await channel.interrupt(Number(pid));
    await output.waitFor(/after=130\n/);
    expect(performance.now() - startMs).toBeLessThan(3000);
    await channel.close();
  });

  it('interrupts the foreground command of a shell on a TTY with Ctrl-C', async () => {
    const channel = await transport.openShell({ pty: true });
    const output = readChannel(channel);
    channel.write('sleep 100\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await channel.interrupt(undefined);
    channel.write('echo "after=$?"\n');
    await output.waitFor(/after=130\r\n/);
    await channel.close();
  });

  it('closes a busy shell: ends its input, then kills it after the grace period', async () => {
    const channel = await transport.openShell({ pty: false });
    const closed = closedPromise(channel);
    channel.write('sleep 33\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await channel.close();
    await channel.close();
    expect(await closed).toBeUndefined();
    expect(await processList(transport)).not.toContain('sleep 33');
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
    await expect(opened.exec(['echo', 'hi there'], { timeoutMs: 5000 })).rejects.toThrow(
      `Cannot run \`echo 'hi there'\` in container ${container.name} [docker-exec]: the container is not running.\n${fix}`,
    );
    const fresh = new DockerExecTransport(engine, container.id);
    await expect(fresh.openShell({ pty: false })).rejects.toMatchObject({
      code: 'CONTAINER_NOT_RUNNING',
      message: `Cannot open a shell in container ${container.name} [docker-exec]: the container is not running.\n${fix}`,
    });
    await expect(new DockerExecTransport(engine, container.id).open()).rejects.toThrow(
      `Cannot run anything in container ${container.name} [docker-exec]: the container is not running.\n${fix}`,
    );
  });

  it('says when there is no such container', async () => {
    const transport = new DockerExecTransport(engine, 'otto-no-such-container');
    expect(transport.address).toBe(
      'container otto-no-such-container at unix:///var/run/docker.sock',
    );
    await expect(transport.exec('true', { timeoutMs: 5000 })).rejects.toThrow(
      'Cannot run `true` in container otto-no-such-container [docker-exec]: there is no such container at unix:///var/run/docker.sock.',
    );
  });
});
