/**
 * Reads the output of one framed command from a shell's byte stream (see framing.ts): skips
 * everything before the begin marker and its newline (echo, leftovers of earlier commands),
 * passes the bytes between the markers on as they arrive, and ends at the end marker with the
 * exit code it carries. Chunks may split markers at any byte. Each byte is examined a bounded
 * number of times, so 100 MB of output is read in linear time.
 */

/** What a finished command left. */
export interface CommandEnd {
  exitCode: number;
  /** Bytes after the end marker (normally none), for the session to keep. */
  rest: Buffer;
}

const MAX_EXIT_DIGITS = 3;

/** Consumes chunks in order; calls `onOutput` with command output and returns the end once seen. */
export class CommandReader {
  private pending: Buffer = Buffer.alloc(0);
  private hasBegun = false;
  private beginEndedWithCr = false;

  constructor(
    private readonly begin: Buffer,
    private readonly endPrefix: Buffer,
    private readonly onOutput: (bytes: Buffer) => void,
  ) {}

  /** True once the begin marker was seen. */
  get begun(): boolean {
    return this.hasBegun;
  }

  /**
   * True when the begin marker's line ended with `\r\n`: the terminal turns `\n` into `\r\n`
   * (its output post-processing is on, e.g. after `stty sane`).
   */
  get isCrlf(): boolean {
    return this.beginEndedWithCr;
  }

  /** Feeds one chunk; returns the end when this chunk completed the command. */
  push(chunk: Buffer): CommandEnd | undefined {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.hasBegun && !this.findBegin()) return undefined;
    return this.scanOutput();
  }

  private findBegin(): boolean {
    const at = this.pending.indexOf(this.begin);
    if (at < 0) {
      this.pending = this.pending.subarray(Math.max(0, this.pending.length - this.begin.length));
      return false;
    }
    const newline = this.pending.indexOf(0x0a, at + this.begin.length);
    if (newline < 0) {
      this.pending = this.pending.subarray(at);
      return false;
    }
    this.hasBegun = true;
    this.beginEndedWithCr = newline > 0 && this.pending[newline - 1] === 0x0d;
    this.pending = this.pending.subarray(newline + 1);
    return true;
  }

  private scanOutput(): CommandEnd | undefined {
    const at = this.pending.indexOf(this.endPrefix);
    if (at < 0) {
      const keep = this.partialPrefixLength();
      this.emit(this.pending.subarray(0, this.pending.length - keep));
      this.pending = this.pending.subarray(this.pending.length - keep);
      return undefined;
    }
    this.emit(this.pending.subarray(0, at));
    this.pending = this.pending.subarray(at);
    return this.parseEnd();
  }

  /** `pending` starts with the end prefix: read `<digits>__`, or wait for more bytes. */
  private parseEnd(): CommandEnd | undefined {
    let index = this.endPrefix.length;
    let exitCode = 0;
    while (
      index < this.pending.length &&
      isDigit(this.pending[index]!) &&
      index - this.endPrefix.length < MAX_EXIT_DIGITS
    ) {
      exitCode = exitCode * 10 + (this.pending[index]! - 0x30);
      index++;
    }
    if (this.pending.length < index + 2) return undefined;
    if (this.pending[index] !== 0x5f || this.pending[index + 1] !== 0x5f) {
      // Not a real end marker (the prefix followed by something else): it was output.
      this.emit(this.pending.subarray(0, 1));
      this.pending = this.pending.subarray(1);
      return this.scanOutput();
    }
    return { exitCode, rest: this.pending.subarray(index + 2) };
  }

  /**
   * Length of the longest tail of `pending` that starts the end marker: those bytes are held back
   * until the next chunk says what they are. Anything else is output now (a prompt waiting for an
   * answer must reach the expects at once).
   */
  private partialPrefixLength(): number {
    const longest = Math.min(this.pending.length, this.endPrefix.length - 1);
    for (let length = longest; length > 0; length--) {
      const tail = this.pending.subarray(this.pending.length - length);
      if (tail.equals(this.endPrefix.subarray(0, length))) return length;
    }
    return 0;
  }

  private emit(bytes: Buffer): void {
    if (bytes.length > 0) this.onOutput(bytes);
  }
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}
