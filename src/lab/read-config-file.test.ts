import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeConfigBytes, findInvalidUtf8 } from './read-config-file.js';

describe('findInvalidUtf8', () => {
  it.each([
    [
      'ASCII and multi-byte characters',
      [0x61, 0xc3, 0xa9, 0xe6, 0x97, 0xa5, 0xf0, 0x9f, 0x98, 0x80],
      -1,
    ],
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['an overlong slash', [0x61, 0xc0, 0xaf], 1],
    ['an overlong 3-byte form', [0xe0, 0x80, 0xaf], 0],
    ['a surrogate', [0x61, 0x62, 0xed, 0xa0, 0x80], 2],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a sequence cut short by the end', [0x61, 0xe6, 0x97], 1],
    ['a sequence cut short by ASCII', [0xe6, 0x22], 0],
    ['Latin-1', [0x63, 0x61, 0x66, 0xe9], 3],
    ['0xFF', [0xff], 0],
  ])('%s', (_name, bytes, offset) => {
    expect(findInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
  });

  it('agrees with Node on every sequence of two bytes after a lead byte', () => {
    for (let lead = 0x80; lead <= 0xff; lead++)
      for (const second of [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0])
        for (const third of [0x80, 0xbf, 0x41]) {
          const bytes = Uint8Array.from([0x41, lead, second, third, 0x80, 0x80]);
          const offset = findInvalidUtf8(bytes);
          expect(offset === -1, `${lead} ${second} ${third}`).toBe(isUtf8(bytes));
          if (offset !== -1) {
            expect(isUtf8(bytes.subarray(0, offset))).toBe(true);
          }
        }
  });
});

describe('decodeConfigBytes', () => {
  it('drops a leading BOM and names the line of a bad byte', () => {
    expect(decodeConfigBytes(Buffer.from('\uFEFF[1]'))).toEqual({ text: '[1]' });
    expect(decodeConfigBytes(Buffer.from([0x5b, 0x0a, 0x0a, 0x22, 0xff, 0x22, 0x5d]))).toEqual({
      problem:
        'is not UTF-8 text: byte 0xFF at byte offset 4 (line 3) is not valid UTF-8; save the file as UTF-8',
    });
  });

  it('refuses UTF-16 in both byte orders', () => {
    for (const bom of [
      [0xff, 0xfe],
      [0xfe, 0xff],
    ])
      expect(decodeConfigBytes(Uint8Array.from([...bom, 0x5b, 0x00]))).toEqual({
        problem: 'is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8',
      });
  });
});
