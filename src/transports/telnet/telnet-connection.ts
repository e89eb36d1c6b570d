import type { Duplex } from 'node:stream';
import { TelnetParser, encodeInput } from './telnet-codec.js';
import { TelnetNegotiation } from './telnet-negotiation.js';

/** IAC NOP: a command every telnet server ignores. */
const TELNET_NOP = Buffer.from([0xff, 0xf1]);

/** The terminal a connection announces. */
export interface TelnetTerminal {
  term: string;
  cols: number;
  rows: number;
}

/**
 * One telnet connection over a byte stream (a socket, or a channel through SSH hops): the
 * negotiation runs by itself, and what is left is data both ways, escaped as the modes agreed.
 * Data that arrives before a receiver is registered is kept and handed over on registration.
 * @example
 * const connection = new TelnetConnection(await tcp.open(host, 23), { term: 'dumb', cols: 200, rows: 50 });
 * connection.onData((chunk) => process.stdout.write(chunk));
 */
export class TelnetConnection {
  private readonly negotiation: TelnetNegotiation;
  private readonly parser: TelnetParser;
  private dataListener?: (chunk: Buffer) => void;
  private readonly pending: Buffer[] = [];
  private readonly closeListeners: Array<(error?: Error) => void> = [];
  private closed?: { error?: Error };
  private isEnding = false;
  private isAcknowledging = false;

  constructor(
    private readonly stream: Duplex,
    terminal: TelnetTerminal,
  ) {
    this.negotiation = new TelnetNegotiation({
      ...terminal,
      write: (bytes) => this.writeRaw(bytes),
    });
    this.parser = new TelnetParser(
      {
        onData: (data) => this.deliver(data),
        onNegotiation: (verb, option) => this.negotiation.receive(verb, option),
        onSubnegotiation: (option, payload) =>
          this.negotiation.receiveSubnegotiation(option, payload),
      },
      () => this.negotiation.isOutputNvt,
    );
    stream.on('data', (chunk: Buffer) => {
      this.parser.push(chunk);
      this.acknowledgeSoon();
    });
    let streamError: Error | undefined;
    stream.on('error', (error: Error) => (streamError = error));
    stream.once('close', () => this.markClosed(streamError));
    // A stream that only ends (a channel's EOF) may not close by itself.
    stream.once('end', () => stream.destroy());
    this.negotiation.start();
  }

  /** True once the stream closed. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** True when `end()` or `destroy()` was called: a close that follows is ours. */
  get wasEnded(): boolean {
    return this.isEnding;
  }

  /** Registers the receiver of data bytes (one receiver; a later one replaces it). */
  onData(listener: (chunk: Buffer) => void): void {
    this.dataListener = listener;
    for (const chunk of this.pending.splice(0)) listener(chunk);
  }

  /** Unregisters the receiver: data is kept until the next one registers. */
  holdData(): void {
    this.dataListener = undefined;
  }

  /** Called once when the stream closed, with its error when it failed. */
  onClose(listener: (error?: Error) => void): void {
    if (this.closed) listener(this.closed.error);
    else this.closeListeners.push(listener);
  }

  /** Sends data, escaped for the current mode. */
  write(data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.writeRaw(encodeInput(bytes, this.negotiation.isInputBinary));
  }

  /** Sends the new window size (when the server took NAWS). */
  resize(cols: number, rows: number): void {
    this.negotiation.resize(cols, rows);
  }

  /** Ends our side; the server hangs up when its session ends. */
  end(): void {
    this.isEnding = true;
    if (!this.closed) this.stream.end();
  }

  /** Cuts the connection. */
  destroy(): void {
    this.isEnding = true;
    this.stream.destroy();
  }

  /**
   * Answers what arrived with a telnet no-op, once per burst of chunks: our TCP acknowledgement
   * then leaves at once, riding on it, instead of after the kernel's delayed-ACK wait (40 ms). A
   * server that sends a command's output in several small segments (busybox telnetd writes the
   * pty's output as it comes) holds each one back until the one before is acknowledged (Nagle's
   * algorithm), so without this most commands would wait 40 ms; Node cannot set TCP_QUICKACK.
   */
  private acknowledgeSoon(): void {
    if (this.isAcknowledging) return;
    this.isAcknowledging = true;
    setImmediate(() => {
      this.isAcknowledging = false;
      this.writeRaw(TELNET_NOP);
    });
  }

  private writeRaw(bytes: Buffer): void {
    if (!this.closed && this.stream.writable) this.stream.write(bytes);
  }

  private deliver(data: Buffer): void {
    if (this.dataListener) this.dataListener(data);
    else this.pending.push(data);
  }

  private markClosed(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = { error };
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
