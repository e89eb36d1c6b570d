/**
 * A first-come, first-served lock: callers of `runExclusive` run one at a time, in call order.
 * @example await mutex.runExclusive(() => session.write(command));
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Number of callers holding or waiting for the lock. */
  get queueLength(): number {
    return this.waiting;
  }

  async runExclusive<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    this.waiting++;
    try {
      await previous;
      return await work();
    } finally {
      this.waiting--;
      release();
    }
  }
}
