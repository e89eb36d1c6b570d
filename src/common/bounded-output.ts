/**
 * Output kept in memory is bounded: a command that prints without end (`yes`) must never take
 * the process down. A {@link BoundedOutput} keeps the first and the last half of its limit and
 * counts what it dropped between them, where a marker line says so. Callers who want every byte
 * give an {@link OutputSink}, which sees each chunk as it arrives and keeps nothing.
 */

/** Default limit of the output kept per stream of one command: 16 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Which stream a chunk came from; a persistent session merges both into `stdout`. */
export type OutputStreamName = 'stdout' | 'stderr';

/**
 * Where output goes as it arrives, besides the capped copy in the result: a callback, or a
 * writable stream (a file from `fs.createWriteStream`). Streams are not ended by otto-ts.
 */
export type OutputSink =
  ((chunk: Buffer, stream: OutputStreamName) => void) | { write(chunk: Buffer): unknown };

/** Calls `sink` with a chunk, whichever form it has. */
export function writeToSink(
  sink: OutputSink | undefined,
  chunk: Buffer,
  stream: OutputStreamName,
): void {
  if (!sink) return;
  if (typeof sink === 'function') sink(chunk, stream);
  else sink.write(chunk);
}

/** Keeps at most `maxBytes` of a byte stream: its head and its tail, and counts the rest. */
export class BoundedOutput {
  private readonly head: Buffer[] = [];
  private readonly tail: Buffer[] = [];
  private headBytes = 0;
  private tailBytes = 0;
  private seenBytes = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(readonly maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES) {
    this.headLimit = Math.ceil(maxBytes / 2);
    this.tailLimit = maxBytes - this.headLimit;
  }

  /** Bytes pushed so far, kept or not. */
  get totalBytes(): number {
    return this.seenBytes;
  }

  /** Bytes dropped between the head and the tail. */
  get droppedBytes(): number {
    return this.seenBytes - this.headBytes - this.tailBytes;
  }

  push(chunk: Buffer): void {
    this.seenBytes += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(rest.length, this.headLimit - this.headBytes);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length > 0 && this.tailLimit > 0) this.pushTail(rest);
  }

  /** What was kept; when bytes were dropped, a marker line stands where they were. */
  toBuffer(): Buffer {
    const dropped = this.droppedBytes;
    if (dropped === 0) return Buffer.concat([...this.head, ...this.tail]);
    return Buffer.concat([
      ...this.head,
      Buffer.from(droppedMarker(dropped, this.maxBytes)),
      ...this.tail,
    ]);
  }

  private pushTail(chunk: Buffer): void {
    // Copy: a slice would keep the whole chunk it came from alive.
    const piece =
      chunk.length > this.tailLimit ? chunk.subarray(chunk.length - this.tailLimit) : chunk;
    this.tail.push(Buffer.from(piece));
    this.tailBytes += piece.length;
    while (this.tailBytes - this.tail[0]!.length >= this.tailLimit) {
      this.tailBytes -= this.tail.shift()!.length;
    }
    if (this.tailBytes > this.tailLimit) {
      const excess = this.tailBytes - this.tailLimit;
      this.tail[0] = this.tail[0]!.subarray(excess);
      this.tailBytes -= excess;
    }
  }
}

/** The line that stands where output was dropped. */
export function droppedMarker(droppedBytes: number, maxBytes: number): string {
  return `\n[otto-ts: ${formatBytes(droppedBytes)} of output dropped here (kept the first and last ${formatBytes(maxBytes / 2)}); raise maxOutputBytes or give an output sink to keep it all]\n`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The output of one direct command: stdout, stderr and both in arrival order, each bounded. */
export class ExecOutput {
  readonly stdout: BoundedOutput;
  readonly stderr: BoundedOutput;
  readonly output: BoundedOutput;

  constructor(
    maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
    private readonly onOutput?: (chunk: Buffer, stream: OutputStreamName) => void,
  ) {
    this.stdout = new BoundedOutput(maxBytes);
    this.stderr = new BoundedOutput(maxBytes);
    this.output = new BoundedOutput(maxBytes);
  }

  push(chunk: Buffer, stream: OutputStreamName): void {
    this[stream].push(chunk);
    this.output.push(chunk);
    this.onOutput?.(chunk, stream);
  }

  /** The fields of an exec outcome: the kept bytes and what was dropped of `output`. */
  collect(): { stdout: Buffer; stderr: Buffer; output: Buffer; droppedBytes: number } {
    return {
      stdout: this.stdout.toBuffer(),
      stderr: this.stderr.toBuffer(),
      output: this.output.toBuffer(),
      droppedBytes: this.output.droppedBytes,
    };
  }
}
