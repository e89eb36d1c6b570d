import type { Logger } from '../common/logger.js';
import type { StreamMessage } from './api-types.js';

/** A subscriber of a monitor's stream. */
export type StreamListener = (message: StreamMessage) => void;

/**
 * Hands every stream message to every subscriber, in order. A subscriber that throws is dropped
 * (and logged once): one broken listener must not stop collection or starve the others.
 */
export class StreamFanout {
  private readonly listeners = new Set<StreamListener>();

  constructor(private readonly logger: Logger) {}

  /** Adds a listener; returns the unsubscribe (idempotent). */
  subscribe(listener: StreamListener): () => void {
    // A wrapper per call: the same function subscribed twice gets each message twice, and each
    // unsubscribe removes its own.
    const entry: StreamListener = (message) => listener(message);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** Sends `message` to every listener. */
  publish(message: StreamMessage): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (error) {
        this.listeners.delete(listener);
        this.logger.warn(
          `Monitor: a stream subscriber threw on a "${message.type}" message and was dropped: ${(error as Error)?.message ?? String(error)}`,
        );
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
