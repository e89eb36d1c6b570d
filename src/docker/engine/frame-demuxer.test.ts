import { describe, expect, it } from 'vitest';
import { createFrameDemuxer, type FrameStream } from './frame-demuxer.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function demux(chunks: Buffer[]): Record<FrameStream, string> {
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const push = createFrameDemuxer((stream, payload) => out[stream].push(Buffer.from(payload)));
  chunks.forEach(push);
  return {
    stdout: Buffer.concat(out.stdout).toString('utf8'),
    stderr: Buffer.concat(out.stderr).toString('utf8'),
  };
}

describe('createFrameDemuxer', () => {
  const whole = Buffer.concat([
    frame(1, 'hello '),
    frame(2, 'warn\n'),
    frame(1, 'wörld\n'),
    frame(1, ''),
  ]);

  it('splits stdout from stderr', () => {
    expect(demux([whole])).toEqual({ stdout: 'hello wörld\n', stderr: 'warn\n' });
  });

  it('gives the same result with chunks split at every byte boundary', () => {
    for (let cut = 1; cut < whole.length; cut++) {
      expect(demux([whole.subarray(0, cut), whole.subarray(cut)])).toEqual({
        stdout: 'hello wörld\n',
        stderr: 'warn\n',
      });
    }
  });

  it('handles one byte at a time', () => {
    expect(demux([...whole].map((byte) => Buffer.from([byte])))).toEqual({
      stdout: 'hello wörld\n',
      stderr: 'warn\n',
    });
  });
});
