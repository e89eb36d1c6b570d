import { StringDecoder } from 'node:string_decoder';

/**
 * Turns a byte stream into text lines for logs: UTF-8 decoded across chunk boundaries, `\r\n`
 * and `\n` both end a line, and `flush()` returns a last line without a newline. A line longer
 * than MAX_LINE_CHARS is passed on in pieces, so output without newlines stays linear in time.
 */
const MAX_LINE_CHARS = 65_536;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(bytes: Buffer): void {
    const text = this.partial + this.decoder.write(bytes);
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    while (this.partial.length > MAX_LINE_CHARS) {
      this.onLine(this.partial.slice(0, MAX_LINE_CHARS));
      this.partial = this.partial.slice(MAX_LINE_CHARS);
    }
  }

  flush(): void {
    const last = this.partial + this.decoder.end();
    this.partial = '';
    if (last) this.onLine(last);
  }
}
