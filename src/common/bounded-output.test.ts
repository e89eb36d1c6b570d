import { describe, expect, it } from 'vitest';
import { BoundedOutput, ExecOutput, droppedMarker, writeToSink } from './bounded-output.js';

describe('BoundedOutput', () => {
  it('keeps everything below its limit, at any chunking', () => {
    const output = new BoundedOutput(10);
    for (const piece of ['ab', 'cde', '', 'fghij']) output.push(Buffer.from(piece));
    expect(output.toBuffer().toString()).toBe('abcdefghij');
    expect(output.droppedBytes).toBe(0);
    expect(output.totalBytes).toBe(10);
  });

  it('keeps the first and last half of its limit and marks what it dropped between them', () => {
    const output = new BoundedOutput(10);
    output.push(Buffer.from('0123456789abcdefghij'));
    output.push(Buffer.from('KLMNO'));
    expect(output.droppedBytes).toBe(15);
    expect(output.toBuffer().toString()).toBe(`01234${droppedMarker(15, 10)}KLMNO`);
  });

  it('gives the same bytes whether the data comes in one chunk or byte by byte', () => {
    const text = Buffer.from('x'.repeat(100) + 'the end');
    const whole = new BoundedOutput(20);
    whole.push(text);
    const bytewise = new BoundedOutput(20);
    for (const byte of text) bytewise.push(Buffer.from([byte]));
    expect(bytewise.toBuffer()).toEqual(whole.toBuffer());
    expect(whole.toBuffer().toString().endsWith('xxxthe end')).toBe(true);
  });

  it('does not keep the chunks its tail came from alive', () => {
    const output = new BoundedOutput(4);
    const big = Buffer.alloc(1_000_000, 0x61);
    output.push(big);
    output.push(big);
    expect(output.toBuffer().toString().endsWith('aa')).toBe(true);
    expect(output.toBuffer().length).toBe(4 + droppedMarker(1_999_996, 4).length);
  });

  it('says how much was dropped in a readable unit', () => {
    expect(droppedMarker(2_000_005, 1_000_000)).toBe(
      '\n[otto-ts: 1.9 MiB of output dropped here (kept the first and last 488.3 KiB); raise maxOutputBytes or give an output sink to keep it all]\n',
    );
    expect(droppedMarker(10, 8)).toContain('10 bytes of output dropped');
  });
});

describe('ExecOutput', () => {
  it('keeps stdout, stderr and both in arrival order, each capped, and passes every chunk on', () => {
    const seen: string[] = [];
    const output = new ExecOutput(4, (chunk, stream) => seen.push(`${stream}:${chunk.toString()}`));
    output.push(Buffer.from('ab'), 'stdout');
    output.push(Buffer.from('XY'), 'stderr');
    output.push(Buffer.from('cd'), 'stdout');
    const collected = output.collect();
    expect(collected.stdout.toString()).toBe('abcd');
    expect(collected.stderr.toString()).toBe('XY');
    expect(collected.output.toString()).toBe(`ab${droppedMarker(2, 4)}cd`);
    expect(collected.droppedBytes).toBe(2);
    expect(seen).toEqual(['stdout:ab', 'stderr:XY', 'stdout:cd']);
  });
});

describe('writeToSink', () => {
  it('calls a function sink with the stream, or writes to a stream sink', () => {
    const calls: string[] = [];
    writeToSink(
      (chunk, stream) => calls.push(`${stream}:${chunk.toString()}`),
      Buffer.from('a'),
      'stderr',
    );
    writeToSink(
      { write: (chunk: Buffer) => calls.push(`write:${chunk.toString()}`) },
      Buffer.from('b'),
      'stdout',
    );
    writeToSink(undefined, Buffer.from('c'), 'stdout');
    expect(calls).toEqual(['stderr:a', 'write:b']);
  });
});
