/**
 * A counting semaphore for the session channels of one SSH connection. OpenSSH refuses channels
 * beyond its MaxSessions (10 by default) instead of queueing them, so we queue on our side:
 * callers wait, in order, for a free slot.
 */
export class ChannelSlots {
  private inUse = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly max: number) {}

  /** Slots taken right now. */
  get busy(): number {
    return this.inUse;
  }

  /**
   * Waits for a free slot and returns its release function (idempotent). An abort while waiting
   * rejects with the signal's reason and gives up the place in the queue.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.inUse < this.max) {
      this.inUse++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        reject(signal?.reason as Error);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so `inUse` stays the same.
      if (next) next();
      else this.inUse--;
    };
  }
}
