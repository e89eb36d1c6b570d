/**
 * The server's event stream (`/api/stream`), kept open: the browser reconnects by itself after a
 * cut (the server's `retry:` hint); a stream the browser gave up on (the server was down when it
 * tried) is opened again here. A reconnection is reported, since messages sent meanwhile were
 * missed and the page must reload what it shows.
 */
import type { StreamMessage } from '../api-types.js';

/** Whether the stream delivers. */
export type StreamStatus = 'connecting' | 'open' | 'disconnected';

/** What the stream reports. */
export interface LiveStreamHandlers {
  message(message: StreamMessage): void;
  status(status: StreamStatus): void;
  /** The stream is open again after a cut: reload what was missed. */
  reconnected(): void;
}

const REOPEN_DELAY_MS = 3000;

/** An open event stream; `close` ends it for good. */
export class LiveStream {
  private source: EventSource | undefined;
  private hasOpened = false;
  private wasCut = false;
  private reopenTimer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveStreamHandlers,
  ) {
    this.open();
  }

  /** Ends the stream; nothing more is reported. */
  close(): void {
    window.clearTimeout(this.reopenTimer);
    this.source?.close();
    this.source = undefined;
  }

  private open(): void {
    const source = new EventSource(this.url);
    this.source = source;
    this.handlers.status('connecting');
    source.onopen = () => this.onOpen();
    source.onerror = () => this.onError(source);
    source.onmessage = (event: MessageEvent<string>) =>
      this.handlers.message(JSON.parse(event.data) as StreamMessage);
  }

  private onOpen(): void {
    this.handlers.status('open');
    if (this.hasOpened && this.wasCut) this.handlers.reconnected();
    this.hasOpened = true;
    this.wasCut = false;
  }

  private onError(source: EventSource): void {
    this.wasCut = true;
    this.handlers.status('disconnected');
    if (source.readyState !== EventSource.CLOSED || this.source !== source) return;
    this.reopenTimer = window.setTimeout(() => this.open(), REOPEN_DELAY_MS);
  }
}
