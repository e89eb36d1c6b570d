import { describe, expect, it } from 'vitest';
import { CommandReader, type CommandEnd } from './command-reader.js';
import { createMarkers } from './framing.js';

const markers = createMarkers('a1b2c3d4e5f6');

function read(chunks: Buffer[], seq = 7): { output: Buffer; end?: CommandEnd; emitted: Buffer[] } {
  const emitted: Buffer[] = [];
  const reader = new CommandReader(markers.begin(seq), markers.endPrefix(seq), (bytes) =>
    emitted.push(Buffer.from(bytes)),
  );
  let end: CommandEnd | undefined;
  for (const chunk of chunks) end ??= reader.push(chunk);
  return { output: Buffer.concat(emitted), end, emitted };
}

const stream = Buffer.concat([
  Buffer.from('echoed input __OTTO_a1b2c3d4e5f6_ B7__\nleftover\n'), // echo: the marker split by a space
  Buffer.from('__OTTO_a1b2c3d4e5f6_B7__\n'),
  Buffer.from('line one\n__OTTO_a1b2c3d4e5f6_E6_0__ old seq\n__OTTO_a1b2c3d4e5f6_E7_x\n'),
  Buffer.from([0x00, 0xff, 0x0d, 0x0a]),
  Buffer.from('no final newline'),
  Buffer.from('__OTTO_a1b2c3d4e5f6_E7_42__'),
  Buffer.from('\nrest'),
]);
const expectedOutput = Buffer.concat([
  Buffer.from('line one\n__OTTO_a1b2c3d4e5f6_E6_0__ old seq\n__OTTO_a1b2c3d4e5f6_E7_x\n'),
  Buffer.from([0x00, 0xff, 0x0d, 0x0a]),
  Buffer.from('no final newline'),
]);

describe('CommandReader', () => {
  it('returns the bytes between the markers and the exit code', () => {
    const { output, end } = read([stream]);
    expect(output).toEqual(expectedOutput);
    expect(end?.exitCode).toBe(42);
    expect(end?.rest.toString()).toBe('\nrest');
  });

  it('gives the same result with the stream split at every byte boundary', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const { output, end } = read([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(output).toEqual(expectedOutput);
      expect(end?.exitCode).toBe(42);
    }
  });

  it('gives the same result one byte at a time', () => {
    const { output, end } = read([...stream].map((byte) => Buffer.from([byte])));
    expect(output).toEqual(expectedOutput);
    expect(end?.exitCode).toBe(42);
  });

  it('passes a prompt on at once, holding back only what may start the end marker', () => {
    const { emitted } = read([Buffer.from('__OTTO_a1b2c3d4e5f6_B7__\nPassword: ')]);
    expect(Buffer.concat(emitted).toString()).toBe('Password: ');
    const held = read([Buffer.from('__OTTO_a1b2c3d4e5f6_B7__\nabc__OTTO_a1b2')]);
    expect(Buffer.concat(held.emitted).toString()).toBe('abc');
  });

  it('ignores output before the begin marker', () => {
    expect(read([Buffer.from('noise __OTTO_a1b2c3d4e5f6_E7_0__')]).end).toBeUndefined();
  });
});
