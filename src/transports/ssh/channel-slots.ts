/**
 * The session channels of one SSH connection, counted. OpenSSH refuses channels beyond its
 * MaxSessions (10 by default) instead of queueing them, and it counts a channel as in use for a
 * moment after it closed, so even staying under the configured limit is not enough under load.
 * So callers queue here, in order, for one of `limit` slots, and the limit adapts to what the
 * server accepts: a refused channel lowers it by one (once per round: refusals of channels
 * granted before the last change say nothing new), and every `raiseAfter` channels opened
 * without a refusal raise it by one again, never above `max`.
 */

/** One taken slot. */
export interface ChannelSlot {
  /** Gives the slot back; idempotent. */
  release: () => void;
  /** The server refused the channel opened on this slot: the limit drops (once per round). */
  refused: () => void;
  /** The server accepted the channel opened on this slot. */
  opened: () => void;
}

/** Options of {@link ChannelSlots}. */
export interface ChannelSlotsOptions {
  /** Channels opened without a refusal before the limit goes up by one. @default 32 */
  raiseAfter?: number;
}

/** How the slots stand, for logs and tests. */
export interface ChannelSlotsStats {
  /** The configured most. */
  max: number;
  /** Slots handed out at most right now (adapted). */
  limit: number;
  busy: number;
  waiting: number;
  /** Channel opens the server refused so far. */
  refusals: number;
}

interface Waiter {
  grant(): void;
}

/** A counting semaphore for the session channels of one SSH connection, with an adaptive limit. */
export class ChannelSlots {
  private inUse = 0;
  private current: number;
  private round = 0;
  private openedInRound = 0;
  private refusalCount = 0;
  private readonly waiters: Waiter[] = [];
  private readonly raiseAfter: number;

  constructor(
    readonly max: number,
    options: ChannelSlotsOptions = {},
  ) {
    this.current = max;
    this.raiseAfter = options.raiseAfter ?? 32;
  }

  /** Slots taken right now. */
  get busy(): number {
    return this.inUse;
  }

  /** Slots handed out at most right now: `max`, or less after refusals. */
  get limit(): number {
    return this.current;
  }

  get stats(): ChannelSlotsStats {
    return {
      max: this.max,
      limit: this.current,
      busy: this.inUse,
      waiting: this.waiters.length,
      refusals: this.refusalCount,
    };
  }

  /**
   * Waits for a free slot. `first` puts the caller at the head of the queue (a side command that
   * stops others must not wait behind them). An abort while waiting rejects with the signal's
   * reason and gives up the place in the queue; an already aborted signal takes no slot.
   */
  acquire(signal?: AbortSignal, options: { first?: boolean } = {}): Promise<ChannelSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.inUse < this.current && this.waiters.length === 0) {
      this.inUse++;
      return Promise.resolve(this.slot());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.slot());
        },
      };
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal?.reason as Error);
      };
      if (options.first) this.waiters.unshift(waiter);
      else this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private slot(): ChannelSlot {
    const round = this.round;
    let isReleased = false;
    return {
      release: () => {
        if (isReleased) return;
        isReleased = true;
        this.inUse--;
        this.grantWaiting();
      },
      refused: () => {
        this.refusalCount++;
        this.openedInRound = 0;
        if (round !== this.round) return;
        this.round++;
        this.current = Math.max(1, this.current - 1);
      },
      opened: () => {
        if (this.current >= this.max || ++this.openedInRound < this.raiseAfter) return;
        this.round++;
        this.openedInRound = 0;
        this.current++;
        this.grantWaiting();
      },
    };
  }

  private grantWaiting(): void {
    while (this.inUse < this.current && this.waiters.length > 0) {
      this.inUse++;
      this.waiters.shift()!.grant();
    }
  }
}
