/**
 * Reads a JSON archive as it streams in: the top-level object's members one by one, and the
 * elements of its arrays one by one, so that an archive of any size is read in bounded memory.
 * Each value's extent is found by a scan that follows strings and brackets, then the value is
 * parsed with `JSON.parse` (fast); a text that it refuses is walked again to name the line and
 * column where it stops being JSON.
 */
import { StringDecoder } from 'node:string_decoder';
import { MonitorError } from '../../errors.js';
import { findJsonError } from './json-error-position.js';

/** A member of the archive's object, or one element of an array member. */
export type ArchiveEntry =
  | { kind: 'value'; key: string; value: unknown; place: () => string }
  | { kind: 'element'; key: string; index: number; value: unknown; place: () => string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x7b, 0x5b]);
const CLOSERS = new Set([0x7d, 0x5d]);
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d]);
const SCALAR_ENDS = new Set([0x2c, 0x5d, 0x7d, ...SPACES]);

/** The members and array elements of the archive streamed by `input`, in order. */
export async function* scanArchive(
  input: AsyncIterable<string | Buffer>,
  name: string,
): AsyncGenerator<ArchiveEntry> {
  const cursor = new TextCursor(input[Symbol.asyncIterator](), name);
  const first = await cursor.peek();
  if (first === undefined) throw importInvalid(name, 'it is empty');
  if (first !== '{') throw importInvalid(name, 'it is not a JSON object');
  cursor.take();
  if ((await cursor.peek()) === '}') cursor.take();
  else {
    do {
      const key = await cursor.key();
      if ((await cursor.peek()) === '[') yield* scanElements(cursor, key);
      else {
        const { value, place } = await cursor.value();
        yield { kind: 'value', key, value, place };
      }
    } while (await cursor.expectOneOf(',', '}'));
  }
  if ((await cursor.peek()) !== undefined)
    cursor.fail(cursor.offset(), 'expected the end of the text');
}

async function* scanElements(cursor: TextCursor, key: string): AsyncGenerator<ArchiveEntry> {
  cursor.take();
  if ((await cursor.peek()) === ']') return cursor.take();
  let index = 0;
  do {
    const { value, place } = await cursor.value();
    yield { kind: 'element', key, index: index++, value, place };
  } while (await cursor.expectOneOf(',', ']'));
}

/** A `MONITOR_IMPORT_INVALID` error naming the archive and what is wrong with it. */
export function importInvalid(name: string, why: string): MonitorError {
  return new MonitorError('MONITOR_IMPORT_INVALID', `Cannot import ${name}: ${why}.`, {
    fix: 'give a JSON archive written by the monitor (its Export button, GET /api/export or exportJson).',
  });
}

/** The text streamed so far, with the place of each character for messages. */
class TextCursor {
  private text = '';
  private at = 0;
  /** Offset in the whole text of `text[0]`, and the line count and line start before it. */
  private base = 0;
  private line = 1;
  private lineStart = 0;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly chunks: AsyncIterator<string | Buffer>,
    private readonly name: string,
  ) {}

  /** The next character after white space, without taking it; undefined at the end. */
  async peek(): Promise<string | undefined> {
    for (;;) {
      while (this.at < this.text.length && SPACES.has(this.text.charCodeAt(this.at))) this.at++;
      if (this.at < this.text.length) return this.text[this.at];
      if (!(await this.more())) return undefined;
    }
  }

  take(): void {
    this.at++;
  }

  /** The offset in the whole text of the next character. */
  offset(): number {
    return this.base + this.at;
  }

  /** Takes one of two characters, true for the first; fails on anything else. */
  async expectOneOf(more: string, end: string): Promise<boolean> {
    const char = await this.peek();
    if (char !== more && char !== end) this.fail(this.offset(), `expected '${more}' or '${end}'`);
    this.take();
    return char === more;
  }

  /** A member's name and its colon. */
  async key(): Promise<string> {
    if ((await this.peek()) !== '"')
      this.fail(this.offset(), 'expected a property name in double quotes');
    const { value } = await this.value();
    if ((await this.peek()) !== ':') this.fail(this.offset(), "expected ':'");
    this.take();
    return value as string;
  }

  /** The next value, parsed, with its place (valid until the next read). */
  async value(): Promise<{ value: unknown; place: () => string }> {
    const isAtEnd = (await this.peek()) === undefined;
    const start = this.offset();
    if (isAtEnd) this.fail(start, 'unexpected end of the text');
    const text = await this.valueText();
    if (text === '') this.fail(start, 'expected a value');
    try {
      return { value: JSON.parse(text) as unknown, place: () => this.placeOf(start) };
    } catch (error) {
      const found = findJsonError(text);
      return this.fail(start + (found?.offset ?? 0), found?.reason ?? (error as Error).message);
    }
  }

  fail(offset: number, reason: string): never {
    throw importInvalid(this.name, `invalid JSON at ${this.placeOf(offset)}: ${reason}`);
  }

  /** Takes the text of one value: a string, an object or array (brackets and strings followed), or a scalar. */
  private async valueText(): Promise<string> {
    const first = this.text.charCodeAt(this.at);
    const isScalar = first !== QUOTE && !OPENERS.has(first);
    let length = 0;
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (; ; length++) {
      if (this.at + length >= this.text.length) {
        if (await this.more()) {
          length--;
          continue;
        }
        if (isScalar) {
          length--;
          break;
        }
        this.fail(this.base + this.text.length, 'unexpected end of the text');
      }
      const char = this.text.charCodeAt(this.at + length);
      if (inString) {
        if (escaped) escaped = false;
        else if (char === BACKSLASH) escaped = true;
        else if (char === QUOTE) inString = false;
        else continue;
        if (!inString && depth === 0) break;
      } else if (isScalar) {
        if (SCALAR_ENDS.has(char)) {
          length--;
          break;
        }
      } else if (char === QUOTE) inString = true;
      else if (OPENERS.has(char)) depth++;
      else if (CLOSERS.has(char) && --depth === 0) break;
    }
    const end = this.at + length + 1;
    const text = this.text.slice(this.at, end);
    this.at = end;
    return text;
  }

  /** Reads the next chunk, dropping the text before the cursor; false at the end of the input. */
  private async more(): Promise<boolean> {
    const next = await this.chunks.next();
    let chunk: string;
    if (next.done) chunk = this.decoder.end();
    else chunk = typeof next.value === 'string' ? next.value : this.decoder.write(next.value);
    this.drop();
    this.text += chunk;
    return !next.done || chunk.length > 0;
  }

  private drop(): void {
    for (let index = this.text.indexOf('\n'); index !== -1 && index < this.at;) {
      this.line++;
      this.lineStart = this.base + index + 1;
      index = this.text.indexOf('\n', index + 1);
    }
    this.base += this.at;
    this.text = this.text.slice(this.at);
    this.at = 0;
  }

  /** `line 3, column 17` of an offset still in the text. */
  private placeOf(offset: number): string {
    let line = this.line;
    let lineStart = this.lineStart;
    const end = offset - this.base;
    for (let index = this.text.indexOf('\n'); index !== -1 && index < end;) {
      line++;
      lineStart = this.base + index + 1;
      index = this.text.indexOf('\n', index + 1);
    }
    return `line ${line}, column ${offset - lineStart + 1}`;
  }
}
