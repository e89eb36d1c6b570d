/**
 * The scp (rcp) protocol, spoken with `scp -t` (sink: receives files) or `scp -f` (source: sends
 * them) at the other end of an exec channel. Records are text lines:
 *   `C<mode> <size> <name>\n` then <size> bytes then one `\0`: a file;
 *   `D<mode> 0 <name>\n` enters a directory, `E\n` leaves it; `T<mtime> 0 <atime> 0\n` gives times.
 * The receiver answers each record, and each file's data, with one byte: `\0` ok, `\1` and a
 * message line: an error for this record (the peer goes on), `\2` and a message: a fatal error.
 * The sink also sends one `\0` when it is ready. Failure modes: an error answer (no space, no
 * permission), a peer that exits early (its reason is on stderr), and a channel that closes
 * mid-file; in every case the file being written is incomplete and must be thrown away.
 */
import type { Readable, Writable } from 'node:stream';

/** A parsed `C` or `D` record. */
export interface ScpRecord {
  kind: 'C' | 'D';
  mode: number;
  sizeBytes: number;
  name: string;
}

/** Reads bytes, lines and counted runs of bytes from a stream, pulling (so with backpressure). */
export class ScpReader {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** The next byte, or undefined at the end of the stream. */
  async readByte(): Promise<number | undefined> {
    if (this.buffer.length === 0 && !(await this.fill())) return undefined;
    const byte = this.buffer[0];
    this.buffer = this.buffer.subarray(1);
    return byte;
  }

  /** The next line without its `\n`, or undefined when the stream ends first. */
  async readLine(): Promise<string | undefined> {
    for (;;) {
      const end = this.buffer.indexOf(0x0a);
      if (end >= 0) {
        const line = this.buffer.toString('utf8', 0, end);
        this.buffer = this.buffer.subarray(end + 1);
        return line;
      }
      if (!(await this.fill())) return undefined;
    }
  }

  /** Yields exactly `count` bytes in chunks; throws when the stream ends before. */
  async *readBytes(count: number): AsyncGenerator<Buffer> {
    let left = count;
    while (left > 0) {
      if (this.buffer.length === 0 && !(await this.fill()))
        throw new Error(`the connection ended ${left} bytes before the end of the file`);
      const chunk = this.buffer.subarray(0, Math.min(left, this.buffer.length));
      this.buffer = this.buffer.subarray(chunk.length);
      left -= chunk.length;
      yield chunk;
    }
  }

  /** Reads and drops the rest of the stream: ssh2 reports a channel closed only once it is read to the end. */
  async drain(): Promise<void> {
    do this.buffer = Buffer.alloc(0);
    while (await this.fill());
  }

  private async fill(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done) return false;
    this.buffer = this.buffer.length === 0 ? next.value : Buffer.concat([this.buffer, next.value]);
    return true;
  }
}

/** Reads one answer: resolves on `\0`, throws the peer's message on `\1`/`\2` or at the end. */
export async function readAck(reader: ScpReader, endedReason: () => string): Promise<void> {
  const byte = await reader.readByte();
  if (byte === 0) return;
  if (byte === 1 || byte === 2) {
    const message = (await reader.readLine()) ?? '';
    throw new ScpPeerError(message.replace(/^scp: /, ''), byte === 2);
  }
  throw new ScpPeerError(
    byte === undefined ? endedReason() : `unexpected answer byte ${byte}`,
    true,
  );
}

/** An error the peer reported (or its unexpected end); `isFatal` when it will not go on. */
export class ScpPeerError extends Error {
  constructor(
    message: string,
    readonly isFatal: boolean,
  ) {
    super(message);
  }
}

/** The record line for a file or directory. */
export function formatRecord(record: ScpRecord): string {
  const mode = (record.mode & 0o7777).toString(8).padStart(4, '0');
  return `${record.kind}${mode} ${record.kind === 'D' ? 0 : record.sizeBytes} ${record.name}\n`;
}

/** Parses a `C` or `D` record line (with its leading letter); undefined when malformed. */
export function parseRecord(line: string): ScpRecord | undefined {
  const match = /^([CD])([0-7]{4}) (\d+) (.+)$/.exec(line);
  if (!match || match[4] === '.' || match[4] === '..' || match[4]!.includes('/')) return undefined;
  return {
    kind: match[1] as 'C' | 'D',
    mode: parseInt(match[2]!, 8),
    sizeBytes: Number(match[3]),
    name: match[4]!,
  };
}

/** Writes to a stream, waiting for `drain` when its buffer is full; throws if it closes or `signal` aborts first. */
export function writeWithBackpressure(
  stream: Writable,
  chunk: Buffer | string,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error('stopped'));
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(new Error('the connection closed while sending'));
    const onAbort = (): void => settle(new Error('stopped'));
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
