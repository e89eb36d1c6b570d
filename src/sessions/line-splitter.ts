import { StringDecoder } from 'node:string_decoder';

/**
 * Turns a byte stream into text lines for logs: UTF-8 decoded across chunk boundaries, `\r\n`
 * and `\n` both end a line, and `flush()` returns a last line without a newline. A line longer
 * than MAX_LINE_CHARS is passed on in pieces of that size, whatever the chunking, never between
 * the halves of a surrogate pair, so output without newlines stays linear in time and bounded.
 */
const MAX_LINE_CHARS = 65_536;

/**
 * Most bytes of one command's output turned into log lines: past it, endless output (`yes`)
 * would fill the log and spend the process's time there. One line says what was left out.
 */
export const MAX_LOGGED_BYTES = 1024 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  /** Pieces of the unfinished line were passed on already: its empty end is no line of its own. */
  private isContinued = false;

  private seenBytes = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes = MAX_LOGGED_BYTES,
  ) {}

  push(bytes: Buffer): void {
    const room = this.maxBytes - this.seenBytes;
    this.seenBytes += bytes.length;
    if (room <= 0) return;
    if (bytes.length > room) bytes = bytes.subarray(0, room);
    const text = this.partial + this.decoder.write(bytes);
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.emitLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    const rest = this.emitPieces(this.partial);
    if (rest !== this.partial) this.isContinued = true;
    this.partial = rest;
  }

  flush(): void {
    const last = this.partial + this.decoder.end();
    this.partial = '';
    if (last) this.emitLine(last);
    this.isContinued = false;
    const skipped = this.seenBytes - this.maxBytes;
    if (skipped > 0) this.onLine(`[otto-ts: ${skipped} more bytes of output not logged]`);
    this.seenBytes = 0;
  }

  /** A whole line: passed on in pieces when it is longer than the limit. */
  private emitLine(line: string): void {
    const rest = this.emitPieces(line);
    if (rest || (line === '' && !this.isContinued)) this.onLine(rest);
    this.isContinued = false;
  }

  /**
   * Passes on full pieces of `text` and returns the rest (shorter than a piece). A piece that
   * would end in the `\r` of a `\r\n` or in half a surrogate pair waits for the next character.
   */
  private emitPieces(text: string): string {
    let start = 0;
    while (text.length - start > MAX_LINE_CHARS) {
      let end = start + MAX_LINE_CHARS;
      const last = text.charCodeAt(end - 1);
      if ((last >= 0xd800 && last <= 0xdbff) || last === 0x0d) end--;
      this.onLine(text.slice(start, end));
      start = end;
    }
    return start === 0 ? text : text.slice(start);
  }
}
