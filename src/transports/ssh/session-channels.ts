/**
 * Opening session channels (shells, execs, sftp) on one SSH connection: a slot first (see
 * ChannelSlots), then the channel. A refused open (the server is at its MaxSessions, or still
 * counts channels that just closed) is tried again after a growing, jittered pause, within the
 * caller's deadline and at most `openTimeoutMs`, and lowers the slot limit. A connection found
 * dead on the way is reopened once, so a call right after a drop does not fail. A channel that
 * opens after its caller gave up is handed to `onLate`, which ends it: nothing is left running.
 */
import type { Client } from 'ssh2';
import { SYSTEM_CLOCK } from '../../common/clock.js';
import { Deadline } from '../../common/deadline.js';
import type { Logger } from '../../common/logger.js';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { ConnectionError } from '../../errors.js';
import { ChannelSlots, type ChannelSlot } from './channel-slots.js';
import { isChannelRefusal, sshReason, toError } from './ssh-exec.js';

/** First pause after a refusal; it doubles with every refusal of the same open, up to the most. */
const FIRST_PAUSE_MS = 10;
const MOST_PAUSE_MS = 250;

/** What the channels need from their transport. */
export interface SessionChannelsHooks {
  /** The connection, opened (or reopened) when needed. */
  connection(options: { reconnect: boolean }): Promise<Client>;
  /** True while the connection that was last handed out is open. */
  isConnected(): boolean;
  place: Place;
  logger?: Logger;
}

/** How one channel is opened. */
export interface ChannelOpenOptions<C> {
  /** Goes to the head of the slot queue (side commands that stop other work). */
  first?: boolean;
  /** Never opens a new connection (side commands are for processes of this one). */
  noReconnect?: boolean;
  /** Receives a channel that opened after the caller had given up; it must end it. */
  onLate: (channel: C) => void | Promise<void>;
}

/**
 * Thrown when the caller's deadline stopped an open that was already on its way to the server:
 * `cleanup` settles once the channel, should it still open, was handed to `onLate` and ended.
 */
export class OpenStopped extends Error {
  constructor(readonly cleanup: Promise<void>) {
    super('The channel open was stopped.');
  }
}

/** A channel and the slot it holds. */
export interface OpenedChannel<C> {
  channel: C;
  /** Gives the slot back; idempotent. */
  release: () => void;
}

/** The session channels of one connection: slots, refusal retries and reconnects. */
export class SessionChannels {
  readonly slots: ChannelSlots;

  constructor(
    maxChannels: number,
    private readonly openTimeoutMs: number,
    private readonly hooks: SessionChannelsHooks,
  ) {
    this.slots = new ChannelSlots(maxChannels);
  }

  /**
   * Takes a slot and opens a channel with `open`. Rejects when `deadline` stops (the caller then
   * reports its own timeout or abort), when connecting fails, or with `CHANNEL_FAILED`.
   */
  async open<C>(
    open: (client: Client) => Promise<C>,
    deadline: Deadline,
    options: ChannelOpenOptions<C>,
  ): Promise<OpenedChannel<C>> {
    const slot = await this.slots.acquire(deadline.signal, { first: options.first });
    try {
      return {
        channel: await this.openOnSlot(open, slot, deadline, options),
        release: slot.release,
      };
    } catch (error) {
      slot.release();
      throw error;
    }
  }

  private async openOnSlot<C>(
    open: (client: Client) => Promise<C>,
    slot: ChannelSlot,
    deadline: Deadline,
    options: ChannelOpenOptions<C>,
  ): Promise<C> {
    const reconnect = options.noReconnect !== true;
    let client = await this.connect(deadline, reconnect);
    // Not a step of the caller's deadline: when both end at once, the caller's reason must win.
    using budget = new Deadline({ timeoutMs: this.openTimeoutMs, signal: deadline.signal });
    let hasReconnected = !reconnect;
    let lastRefusal: Error | undefined;
    for (let refusals = 0; ;) {
      const opening = open(client);
      opening.catch(() => undefined);
      const result = await budget.race(opening);
      if (result.kind === 'done') {
        slot.opened();
        return result.value;
      }
      if (result.kind !== 'failed') {
        const cleanup = opening.then(options.onLate, () => undefined);
        if (deadline.reason) throw new OpenStopped(cleanup);
        throw lastRefusal ? this.refused(refusals, lastRefusal) : this.noAnswer();
      }
      if (isChannelRefusal(result.error)) {
        slot.refused();
        refusals++;
        await this.pause(refusals, budget);
        const error = (lastRefusal = result.error as Error);
        if (budget.isExpired()) throw stopOr(deadline, () => this.refused(refusals, error));
      } else if (!hasReconnected && !this.hooks.isConnected()) {
        hasReconnected = true;
      } else {
        throw this.failed(toError(result.error));
      }
      client = await this.connect(deadline, reconnect);
    }
  }

  private async connect(deadline: Deadline, reconnect: boolean): Promise<Client> {
    const connecting = this.hooks.connection({ reconnect });
    // race() does not look at work it is given once stopped: its failure must not go unhandled.
    connecting.catch(() => undefined);
    const result = await deadline.race(connecting);
    if (result.kind === 'done') return result.value;
    if (result.kind === 'failed') throw result.error;
    throw toError(deadline.signal.reason);
  }

  /** Waits before the next try, at most until the budget runs out. */
  private async pause(refusals: number, budget: Deadline): Promise<void> {
    const ceilingMs = Math.min(MOST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (refusals - 1));
    const pauseMs = Math.min(ceilingMs / 2 + Math.random() * (ceilingMs / 2), budget.remainingMs());
    this.hooks.logger?.debug(
      `SSH channel refused by ${describePlace(this.hooks.place)} (${refusals}×, ${this.slots.limit} channels at most now); trying again in ${Math.round(pauseMs)}ms`,
    );
    await SYSTEM_CLOCK.sleep(pauseMs, budget.signal).catch(() => undefined);
  }

  private failed(error: Error): ConnectionError {
    return new ConnectionError(
      'CHANNEL_FAILED',
      `Could not open an SSH channel on ${describePlace(this.hooks.place)}: ${sshReason(error)}.`,
      { ...placeDetails(this.hooks.place), cause: error },
    );
  }

  private refused(refusals: number, error: Error): ConnectionError {
    return new ConnectionError(
      'CHANNEL_FAILED',
      `Could not open an SSH channel on ${describePlace(this.hooks.place)}: the server refused it ${refusals} times in ${this.openTimeoutMs}ms (${sshReason(error)}).`,
      {
        ...placeDetails(this.hooks.place),
        cause: error,
        fix: `the server allows fewer sessions per connection than maxChannels (${this.slots.max}): lower maxChannels, or raise MaxSessions in its sshd_config.`,
      },
    );
  }

  private noAnswer(): ConnectionError {
    return new ConnectionError(
      'CHANNEL_FAILED',
      `Could not open an SSH channel on ${describePlace(this.hooks.place)}: no answer within ${this.openTimeoutMs}ms.`,
      placeDetails(this.hooks.place),
    );
  }
}

/** The caller's stop when its deadline ended, else the error of our own give-up. */
function stopOr(deadline: Deadline, error: () => Error): Error {
  return deadline.reason ? toError(deadline.signal.reason) : error();
}
