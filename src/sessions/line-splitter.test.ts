import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

/** The line cap of the module: longer lines are passed on in pieces of this many characters. */
const MAX_LINE_CHARS = 65_536;

/** Pushes each chunk, then flushes, and returns every line passed on. */
function splitChunks(chunks: readonly (Buffer | string)[], isFlushed = true): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  if (isFlushed) splitter.flush();
  return lines;
}

/** Splits bytes into chunks of `sizeBytes`. */
function chunkBytes(bytes: Buffer, sizeBytes: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += sizeBytes)
    chunks.push(bytes.subarray(start, start + sizeBytes));
  return chunks;
}

/** Whether a string holds a surrogate without its other half (not valid UTF-16 text). */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe('LineSplitter', () => {
  it('passes on each complete line without its newline', () => {
    expect(splitChunks(['one\ntwo\nthree\n'], false)).toEqual(['one', 'two', 'three']);
  });

  it('holds a line without a newline until it is complete', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('hel'));
    expect(lines).toEqual([]);
    splitter.push(Buffer.from('lo wo'));
    expect(lines).toEqual([]);
    splitter.push(Buffer.from('rld\nnext'));
    expect(lines).toEqual(['hello world']);
  });

  it('joins a line split across many chunks', () => {
    expect(splitChunks(['a', 'b', 'c\n', 'd', 'e\nf', '\n'])).toEqual(['abc', 'de', 'f']);
  });

  it('ends a line at \\r\\n and drops the \\r', () => {
    expect(splitChunks(['one\r\ntwo\r\n'])).toEqual(['one', 'two']);
  });

  it('drops the \\r of a \\r\\n split across two chunks', () => {
    expect(splitChunks(['one\r', '\ntwo\r', '\n'])).toEqual(['one', 'two']);
  });

  it('keeps a lone \\r inside a line', () => {
    expect(splitChunks(['50%\r100%\n', 'a\r\r\n'])).toEqual(['50%\r100%', 'a\r']);
  });

  it('mixes \\n and \\r\\n line ends', () => {
    expect(splitChunks(['a\nb\r\nc\n'])).toEqual(['a', 'b', 'c']);
  });

  it('passes on empty lines', () => {
    expect(splitChunks(['\n\na\n\n', '\r\n'])).toEqual(['', '', 'a', '', '']);
  });

  it('returns a last line without a newline on flush', () => {
    expect(splitChunks(['one\ntwo'])).toEqual(['one', 'two']);
  });

  it('passes on nothing on flush after a final newline', () => {
    expect(splitChunks(['one\n'])).toEqual(['one']);
  });

  it('passes on nothing for no input', () => {
    expect(splitChunks([])).toEqual([]);
    expect(splitChunks([Buffer.alloc(0)])).toEqual([]);
  });

  it('passes on the last line once, however often it is flushed', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('tail'));
    splitter.flush();
    splitter.flush();
    expect(lines).toEqual(['tail']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('é✓😀\n');
    // Every split point, including inside each character.
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(splitChunks([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['é✓😀']);
    }
  });

  it('decodes multi-byte text pushed one byte at a time', () => {
    const text = 'grüße\n日本語\r\n😀 done';
    expect(splitChunks(chunkBytes(Buffer.from(text), 1))).toEqual(['grüße', '日本語', '😀 done']);
  });

  it('turns an incomplete character at the end into U+FFFD on flush', () => {
    const partial = Buffer.from('😀').subarray(0, 2);
    expect(splitChunks([Buffer.from('ok '), partial])).toEqual(['ok \uFFFD']);
  });

  it('turns invalid UTF-8 into U+FFFD and keeps the rest of the line', () => {
    expect(splitChunks([Buffer.from([0x61, 0xff, 0x62, 0x0a])])).toEqual(['a\uFFFDb']);
  });

  it('passes on a line of exactly the cap whole', () => {
    const line = 'x'.repeat(MAX_LINE_CHARS);
    expect(splitChunks([line, '\n'])).toEqual([line]);
  });

  it('passes on a line without a newline in pieces of the cap', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('a'.repeat(MAX_LINE_CHARS + 1)));
    // The piece is passed on at once, without waiting for a newline.
    expect(lines).toEqual(['a'.repeat(MAX_LINE_CHARS)]);
    splitter.push(Buffer.from('b'.repeat(MAX_LINE_CHARS * 2)));
    splitter.flush();
    expect(lines.map((line) => line.length)).toEqual([
      MAX_LINE_CHARS,
      MAX_LINE_CHARS,
      MAX_LINE_CHARS,
      1,
    ]);
    expect(lines.join('')).toBe('a'.repeat(MAX_LINE_CHARS + 1) + 'b'.repeat(MAX_LINE_CHARS * 2));
  });

  it('passes on a long line in the same pieces however its bytes are chunked', () => {
    const bytes = Buffer.from(`${'z'.repeat(MAX_LINE_CHARS * 3 + 10)}\nshort\n`);
    const pieces = [MAX_LINE_CHARS, MAX_LINE_CHARS, MAX_LINE_CHARS, 10, 5];
    expect(splitChunks(chunkBytes(bytes, 4096)).map((line) => line.length)).toEqual(pieces);
    // A newline in the same chunk must not change the pieces (a line is capped, not a chunk).
    expect(splitChunks([bytes]).map((line) => line.length)).toEqual(pieces);
  });

  it('does not pass on an extra empty line when a \\r\\n at the cap is split', () => {
    const line = 'c'.repeat(MAX_LINE_CHARS);
    expect(splitChunks([`${line}\r`, '\n', 'next\n'])).toEqual([line, 'next']);
  });

  it('never cuts a character in half at the cap', () => {
    // The emoji is two UTF-16 code units, straddling the cap.
    const line = `${'a'.repeat(MAX_LINE_CHARS - 1)}😀${'b'.repeat(10)}`;
    const lines = splitChunks([line]);
    expect(lines.join('')).toBe(line);
    expect(lines.filter(hasLoneSurrogate)).toEqual([]);
  });

  it('stays linear on megabytes of output without a newline', () => {
    const chunk = Buffer.alloc(64 * 1024, 'q');
    const startedMs = performance.now();
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), Number.POSITIVE_INFINITY);
    for (let index = 0; index < 256; index++) splitter.push(chunk);
    splitter.flush();
    expect(lines.length).toBe(256);
    expect(lines.every((line) => line.length === MAX_LINE_CHARS)).toBe(true);
    expect(performance.now() - startedMs).toBeLessThan(5_000);
  });
});

describe('LineSplitter limit', () => {
  it('logs at most its byte limit of a command and then says how much it left out', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 10);
    splitter.push(Buffer.from('y\ny\ny\n'));
    splitter.push(Buffer.from('y\ny\ny\ny\ny\n'));
    splitter.flush();
    expect(lines).toEqual([
      'y',
      'y',
      'y',
      'y',
      'y',
      '[otto-ts: 6 more bytes of output not logged]',
    ]);
  });
});
