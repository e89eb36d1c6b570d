import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeHexDump, encodeBase64Heredoc, encodePrintfOctal } from './shell-encoding.js';

const bytes = Buffer.concat([Buffer.from([...Array(256).keys()]), randomBytes(3000)]);

/** Runs a script with sh and returns its stdout as bytes. */
function runSh(script: string): Buffer {
  return execFileSync('sh', ['-c', script], { maxBuffer: 1 << 24 });
}

describe('shell encodings', () => {
  it('base64 here-documents decode back to the bytes, in short lines', () => {
    const script = encodeBase64Heredoc(bytes, 'base64 -d', '| cat');
    expect(Math.max(...script.split('\n').map((line) => line.length))).toBeLessThan(100);
    expect(runSh(script).equals(bytes)).toBe(true);
  });

  it('printf octal escapes write the bytes without base64', () => {
    const script = encodePrintfOctal(bytes, '| cat');
    expect(Math.max(...script.split('\n').map((line) => line.length))).toBeLessThan(4095);
    expect(runSh(script).equals(bytes)).toBe(true);
  });

  it('reads od hex dumps', () => {
    const dump = runSh(`printf 'ab\\001\\377' | od -An -v -tx1`).toString();
    expect(decodeHexDump(dump)).toEqual(Buffer.from([0x61, 0x62, 0x01, 0xff]));
  });
});
