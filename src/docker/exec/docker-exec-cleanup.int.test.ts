import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engine } from '../../../test/helpers/engine.js';
import { waitUntil } from '../../common/deadline.js';
import { AbortedError, TimeoutError } from '../../errors.js';
import { ShellSession } from '../../sessions/shell-session.js';
import { StartedContainer } from '../containers/started-container.js';
import { DockerExecTransport } from './docker-exec-transport.js';

// Nothing otto starts in a container outlives a close, a deadline or an abort: not the shell of a
// session (on a TTY the engine never ends it by itself), not what it started in the background,
// not a loop that ignores SIGINT. Each container runs docker-init as PID 1 so that killed
// processes are reaped at once and the process list is exactly what still lives.

const BASELINE = ['/sbin/docker-init -- sleep 3600', 'sleep 3600'];

/**
 * The command lines of the container's processes, read from /proc by a fresh exec: only processes
 * that existed when the listing began (the glob is expanded first), the listing shell left out.
 */
async function processes(transport: DockerExecTransport): Promise<string[]> {
  const script = [
    'for d in /proc/[0-9]*; do',
    '  [ "${d#/proc/}" = $$ ] && continue',
    '  c=$(tr "\\0" " " < "$d/cmdline" 2>/dev/null) && [ -n "$c" ] && echo "${c% }"',
    'done',
  ].join('\n');
  const outcome = await transport.exec(script, { timeoutMs: 10_000 });
  return outcome.stdout.toString().split('\n').filter(Boolean).sort();
}

/** Waits until the container runs exactly `expected` (sorted command lines), and checks it. */
async function expectProcesses(transport: DockerExecTransport, expected: string[]): Promise<void> {
  const wanted = [...expected].sort();
  let seen: string[] = [];
  await waitUntil(
    async () => {
      seen = await processes(transport);
      return JSON.stringify(seen) === JSON.stringify(wanted) ? true : undefined;
    },
    { timeoutMs: 3000, intervalMs: 50, what: 'the container to run only what it should' },
  ).catch(() => undefined);
  expect(seen).toEqual(wanted);
}

describe.each(['busybox', 'debian'] as const)('nothing left running on %s', (imageName) => {
  let container: StartedContainer;
  let transport: DockerExecTransport;

  beforeAll(async () => {
    container = await StartedContainer.start(engine, {
      image: inject('images')[imageName],
      cmd: ['sleep', '3600'],
      init: true,
      purpose: 'docker-exec-cleanup-test',
    });
    transport = new DockerExecTransport(engine, container.id, {
      closeTimeoutMs: 300,
      signalTimeoutMs: 5000,
    });
    await expectProcesses(transport, BASELINE);
  });

  afterAll(async () => {
    await transport?.close();
    await container?.stop();
  });

  function openSession(pty: boolean): ShellSession {
    return new ShellSession({
      name: 'default',
      place: transport.place,
      openChannel: () => transport.openShell({ pty }),
      defaultTimeoutMs: 10_000,
      openTimeoutMs: 10_000,
      recoverTimeoutMs: 300,
      killTimeoutMs: 300,
    });
  }

  describe.each([false, true])('a session with pty: %s', (pty) => {
    it('ends its shell and its background jobs on close, session after session', async () => {
      for (let round = 0; round < 3; round++) {
        const session = openSession(pty);
        const started = await session.run(`sleep 100${round} & echo started`);
        expect(started.output.toString()).toBe('started\n');
        await expectProcesses(transport, [...BASELINE, 'sh', `sleep 100${round}`]);
        await session.close();
        await expectProcesses(transport, BASELINE);
      }
    });

    it('kills a loop that ignores SIGINT, and its shell, when it gives up on the shell', async () => {
      const session = openSession(pty);
      const stuck = await session.run("trap '' INT; while :; do :; done", { timeoutMs: 500 });
      expect(stuck.exitCode).toBe(-1);
      expect(stuck.error).toBeInstanceOf(TimeoutError);
      // The session gave up on the shell: neither the loop nor the shell may still run.
      await expectProcesses(transport, BASELINE);
      expect((await session.run('echo back')).output.toString()).toBe('back\n');
      await session.close();
      await expectProcesses(transport, BASELINE);
    });

    it('kills what a command started when it ignores the interrupt, and keeps the shell', async () => {
      const session = openSession(pty);
      // SIG_IGN is inherited: neither the child shell nor its sleep die of the interrupt.
      const stuck = await session.run(`sh -c "trap '' INT; sleep 2004; true"`, { timeoutMs: 500 });
      expect(stuck.error).toBeInstanceOf(TimeoutError);
      await expectProcesses(transport, [...BASELINE, 'sh']);
      expect((await session.run('echo same shell')).output.toString()).toBe('same shell\n');
      await session.close();
      await expectProcesses(transport, BASELINE);
    });

    it('ends a command at its deadline and on an abort, and everything at close', async () => {
      const session = openSession(pty);
      const late = await session.run('sleep 2001', { timeoutMs: 500 });
      expect(late.error).toBeInstanceOf(TimeoutError);
      await expectProcesses(transport, [...BASELINE, 'sh']);
      const controller = new AbortController();
      const aborted = session.run('sleep 2002', { signal: controller.signal });
      await expectProcesses(transport, [...BASELINE, 'sh', 'sleep 2002']);
      controller.abort(new Error('enough'));
      expect((await aborted).error).toBeInstanceOf(AbortedError);
      await expectProcesses(transport, [...BASELINE, 'sh']);
      await session.close();
      await expectProcesses(transport, BASELINE);
    });
  });

  it('leaves nothing of a oneshot stopped by its deadline or an abort', async () => {
    const late = await transport.exec('sleep 3001 & sleep 3002', { timeoutMs: 500 });
    expect(late.error).toBeInstanceOf(TimeoutError);
    await expectProcesses(transport, BASELINE);
    const controller = new AbortController();
    const aborted = transport.exec("trap '' INT TERM; sleep 3003 & while :; do :; done", {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    await expectProcesses(transport, [
      ...BASELINE,
      "sh -c trap '' INT TERM; sleep 3003 & while :; do :; done",
      'sleep 3003',
    ]);
    controller.abort();
    expect((await aborted).error).toBeInstanceOf(AbortedError);
    await expectProcesses(transport, BASELINE);
  });
});
