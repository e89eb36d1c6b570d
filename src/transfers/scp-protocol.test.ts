import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatRecord, parseRecord, readAck, ScpReader } from './scp-protocol.js';

function readerOf(...chunks: Array<string | Buffer>): ScpReader {
  const stream = new PassThrough();
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return new ScpReader(stream);
}

describe('scp records', () => {
  it.each([
    [{ kind: 'C', mode: 0o644, sizeBytes: 6, name: 'a.txt' }, 'C0644 6 a.txt\n'],
    [{ kind: 'C', mode: 0o100755, sizeBytes: 0, name: "it's spaced" }, "C0755 0 it's spaced\n"],
    [{ kind: 'D', mode: 0o750, sizeBytes: 4096, name: 'dir' }, 'D0750 0 dir\n'],
  ] as const)('formats %j', (record, line) => {
    expect(formatRecord(record)).toBe(line);
  });

  it.each([
    ['C0644 6 a.txt', { kind: 'C', mode: 0o644, sizeBytes: 6, name: 'a.txt' }],
    ['D0755 0 with space', { kind: 'D', mode: 0o755, sizeBytes: 0, name: 'with space' }],
    ['C0644 6 ../escape', undefined],
    ['C0644 6 ..', undefined],
    ['C644 6 a', undefined],
    ['X0644 6 a', undefined],
  ])('parses %j', (line, record) => {
    expect(parseRecord(line)).toEqual(record);
  });
});

describe('ScpReader', () => {
  it('reads bytes, lines and counted runs across chunk borders', async () => {
    const reader = readerOf('\0C06', '44 5 a\nhel', 'lo\0', 'rest');
    expect(await reader.readByte()).toBe(0);
    expect(await reader.readLine()).toBe('C0644 5 a');
    const parts: string[] = [];
    for await (const chunk of reader.readBytes(5)) parts.push(chunk.toString());
    expect(parts.join('')).toBe('hello');
    expect(await reader.readByte()).toBe(0);
    await reader.drain();
    expect(await reader.readByte()).toBeUndefined();
  });

  it('throws when the stream ends inside a file', async () => {
    const reader = readerOf('abc');
    const read = async (): Promise<void> => {
      for await (const chunk of reader.readBytes(10)) void chunk;
    };
    await expect(read()).rejects.toThrow('the connection ended 7 bytes before the end of the file');
  });
});

describe('readAck', () => {
  it('accepts \\0 and throws the peer message of \\1 and \\2', async () => {
    await expect(readAck(readerOf('\0'), () => 'ended')).resolves.toBeUndefined();
    await expect(
      readAck(readerOf('\x01scp: /root/x: Permission denied\n'), () => 'ended'),
    ).rejects.toMatchObject({
      message: '/root/x: Permission denied',
      isFatal: false,
    });
    await expect(readAck(readerOf('\x02scp: fatal\n'), () => 'ended')).rejects.toMatchObject({
      isFatal: true,
    });
    await expect(readAck(readerOf(''), () => 'scp: command not found')).rejects.toThrow(
      'scp: command not found',
    );
  });
});
