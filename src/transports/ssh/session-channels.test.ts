import type { Client } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../common/deadline.js';
import { OpenStopped, SessionChannels } from './session-channels.js';

const PLACE = { host: 'db-1', kind: 'ssh', transport: 'otto@10.0.0.5:22' };

/** The error ssh2 gives when OpenSSH is past its MaxSessions. */
function refusal(): Error {
  return Object.assign(new Error('(SSH) Channel open failure: open failed'), { reason: 2 });
}

/** Channels over a fake connection; `connections` counts how often one was asked for. */
function fakeChannels(openTimeoutMs = 5000, maxChannels = 4) {
  const state = { connections: 0, isConnected: true };
  const channels = new SessionChannels(maxChannels, openTimeoutMs, {
    connection: () => {
      state.connections++;
      state.isConnected = true;
      return Promise.resolve({} as Client);
    },
    isConnected: () => state.isConnected,
    place: PLACE,
  });
  return { channels, state };
}

/** An open that fails with the given errors in turn, then gives `channel`. */
function failingThen(errors: Error[], channel = 'channel'): () => Promise<string> {
  return () => {
    const error = errors.shift();
    return error ? Promise.reject(error) : Promise.resolve(channel);
  };
}

describe('SessionChannels', () => {
  it('tries a refused open again after a pause, and lowers the slot limit', async () => {
    const { channels } = fakeChannels();
    using deadline = new Deadline({ timeoutMs: 10_000 });
    const opened = await channels.open(failingThen([refusal(), refusal(), refusal()]), deadline, {
      onLate: () => undefined,
    });
    expect(opened.channel).toBe('channel');
    expect(channels.slots.stats).toEqual({ max: 4, limit: 3, busy: 1, waiting: 0, refusals: 3 });
    opened.release();
    opened.release();
    expect(channels.slots.busy).toBe(0);
  });

  it('gives up after openTimeoutMs of refusals, saying what to change', async () => {
    const { channels } = fakeChannels(150);
    using deadline = new Deadline({ timeoutMs: 10_000 });
    const error = await channels
      .open(() => Promise.reject(refusal()), deadline, { onLate: () => undefined })
      .catch((error: unknown) => error);
    expect(error).toMatchObject({ code: 'CHANNEL_FAILED', details: { host: 'db-1' } });
    expect((error as Error).message).toMatch(
      /^Could not open an SSH channel on host "db-1" \(otto@10\.0\.0\.5:22\) \[ssh\]: the server refused it \d+ times in 150ms \(open failed\)\.\nFix: the server allows fewer sessions per connection than maxChannels \(4\): lower maxChannels, or raise MaxSessions in its sshd_config\.$/,
    );
    expect(channels.slots.busy).toBe(0);
  });

  it("leaves the caller's stop to the caller, and ends a channel that opens too late", async () => {
    const { channels } = fakeChannels();
    let finishOpen!: (channel: string) => void;
    const late: string[] = [];
    const deadline = new Deadline({ timeoutMs: 20 });
    const error = await channels
      .open(() => new Promise<string>((resolve) => (finishOpen = resolve)), deadline, {
        onLate: (channel) => void late.push(channel),
      })
      .catch((error: unknown) => error);
    expect(error).toBeInstanceOf(OpenStopped);
    expect(deadline.reason).toBe('timeout');
    expect(channels.slots.busy).toBe(0);
    finishOpen('late channel');
    await (error as OpenStopped).cleanup;
    expect(late).toEqual(['late channel']);
  });

  it('takes no slot and opens nothing on an already aborted signal', async () => {
    const { channels, state } = fakeChannels();
    const controller = new AbortController();
    controller.abort(new Error('Ctrl-C'));
    using deadline = new Deadline({ signal: controller.signal });
    let opens = 0;
    await expect(
      channels.open(() => Promise.resolve(String(++opens)), deadline, { onLate: () => undefined }),
    ).rejects.toThrow('aborted');
    // The caller builds its AbortedError from its deadline, which knows the reason.
    expect(deadline.reason).toBe('aborted');
    expect({ opens, connections: state.connections, busy: channels.slots.busy }).toEqual({
      opens: 0,
      connections: 0,
      busy: 0,
    });
  });

  it('reconnects once when the connection is found dead, then fails with the reason', async () => {
    const { channels, state } = fakeChannels();
    using deadline = new Deadline({ timeoutMs: 10_000 });
    state.isConnected = false;
    const reopened = await channels.open(
      () => {
        if (state.connections < 2) {
          state.isConnected = false;
          return Promise.reject(new Error('No response from server'));
        }
        return Promise.resolve('channel');
      },
      deadline,
      { onLate: () => undefined },
    );
    expect(reopened.channel).toBe('channel');
    expect(state.connections).toBe(2);
    reopened.release();
    await expect(
      channels.open(() => Promise.reject(new Error('Unable to exec')), deadline, {
        onLate: () => undefined,
      }),
    ).rejects.toThrow(
      'Could not open an SSH channel on host "db-1" (otto@10.0.0.5:22) [ssh]: Unable to exec.',
    );
  });
});
