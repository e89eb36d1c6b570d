import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../common/deadline.js';
import { describeHostContract } from '../../test/helpers/host-contract.js';
import { LocalTransfer } from '../transfers/local-transfer.js';
import { LocalTransport } from '../transports/local-transport.js';
import { BaseHost } from './base-host.js';
import { normalizeHostOptions, transportOptionsOf, type HostOptions } from './host-options.js';
import { SessionPoolTransport, type SessionPoolOptions } from './session-pool-transport.js';

/** A local host whose oneshots run on a pool of its own shells, as a telnet host's do. */
class PooledLocalHost extends BaseHost {
  readonly pool: SessionPoolTransport;

  constructor(options: HostOptions & { pool?: SessionPoolOptions } = {}) {
    const resolved = normalizeHostOptions(options, { id: 'pooled', pty: true });
    const pool = new SessionPoolTransport(new LocalTransport(transportOptionsOf(resolved)), {
      recoverTimeoutMs: resolved.recoverTimeoutMs,
      killTimeoutMs: resolved.killTimeoutMs,
      ...options.pool,
    });
    super(pool, new LocalTransfer({ hostId: resolved.id }), resolved);
    this.pool = pool;
  }
}

describeHostContract(
  'local with pooled oneshots',
  (options) => Promise.resolve(new PooledLocalHost({ id: 'pooled', ...options })),
  { hasPty: true },
);

describe('SessionPoolTransport', () => {
  it('reuses one warm session for serial callers and opens more for concurrent ones', async () => {
    await using host = new PooledLocalHost({ pool: { maxSessions: 3 } });
    const first = (await host.oneshot('echo $$')).stdout;
    expect((await host.oneshot('echo $$')).stdout).toBe(first);
    expect(host.pool.sessionCount).toBe(1);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => host.oneshot('sleep 0.3; echo $$')),
    );
    expect(new Set(results.map((result) => result.stdout)).size).toBe(3);
    expect(host.pool.sessionCount).toBe(3);
  });

  it('closes idle sessions after their idle time', async () => {
    await using host = new PooledLocalHost({ pool: { idleTimeoutMs: 200 } });
    await host.oneshot('true');
    expect(host.pool.sessionCount).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(host.pool.sessionCount).toBe(0);
    expect((await host.oneshot('echo again')).stdout).toBe('again\n');
  });

  it('passes env, keeps a syntax error a failure and streams stdout before stderr', async () => {
    await using host = new PooledLocalHost();
    const streamed: string[] = [];
    const result = await host.oneshot('echo "$A/$B"; echo oops >&2', {
      env: { A: "it's", B: 'two words' },
      output: (chunk, stream) => streamed.push(`${stream}:${chunk.toString()}`),
    });
    expect(result).toMatchObject({ stdout: "it's/two words\n", stderr: 'oops\n', exitCode: 0 });
    expect(streamed).toEqual(["stdout:it's/two words\n", 'stderr:oops\n']);
    expect((await host.oneshot('echo "unbalanced')).status).toBe('failed');
    expect((await host.oneshot('exit 7')).exitCode).toBe(7);
    expect((await host.oneshot('echo still')).stdout).toBe('still\n');
  });

  it('refuses a bad environment variable name', async () => {
    await using host = new PooledLocalHost();
    await expect(host.oneshot('true', { env: { 'A-B': '1' } })).rejects.toThrow(
      'Invalid environment variable name "A-B" for a oneshot on host "pooled" [local]: names are letters, digits and underscores, not starting with a digit.',
    );
  });

  it('queues callers past the cap and stops a queued one at its deadline', async () => {
    await using host = new PooledLocalHost({ pool: { maxSessions: 1 } });
    const busy = host.oneshot('sleep 1; echo done');
    const queued = await host.oneshot('echo never', { timeoutMs: 300 });
    expect(queued).toMatchObject({ status: 'error', exitCode: -1, stdout: '' });
    expect(queued.error?.message).toBe(
      'Timed out after 300ms running `echo never` on host "pooled" [local].',
    );
    expect((await busy).stdout).toBe('done\n');
  });

  it('leaves no oneshot files in /tmp: stopped, retired and closed sessions remove theirs', async () => {
    const oneshotFiles = async () =>
      (await readdir('/tmp')).filter((name) => name.startsWith('.otto-oneshot-'));
    const before = new Set(await oneshotFiles());
    const added = async () => (await oneshotFiles()).filter((name) => !before.has(name));
    const host = new PooledLocalHost({ pool: { idleTimeoutMs: 300 } });
    try {
      expect((await host.oneshot('echo out; echo err >&2')).stderr).toBe('err\n');
      expect(await added()).toHaveLength(2); // The session's stderr and status files.
      expect((await host.oneshot('sleep 5', { timeoutMs: 200 })).status).toBe('error');
      // The next oneshot removes the stopped session's files; its new session has its own.
      expect((await host.oneshot('echo $?; false')).exitCode).toBe(1);
      expect(await added()).toHaveLength(2);
      // Retired after its idle time, a session removes its files.
      await waitUntil(() => Promise.resolve(host.pool.sessionCount === 0 ? true : undefined), {
        timeoutMs: 5000,
        intervalMs: 50,
        what: 'the idle session to be retired',
      });
      expect(await added()).toEqual([]);
      await host.oneshot('true');
    } finally {
      await host.close();
    }
    expect(await added()).toEqual([]);
  });
});
