import { describe, expect, it } from 'vitest';
import { decodePathStat } from './archive-path-stat.js';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

describe('decodePathStat', () => {
  it.each([
    [{ name: 'notes.txt', size: 6, mode: 0o640, mtime: 't', linkTarget: '' }, 'file', 0o640],
    [
      { name: 'tree', size: 4096, mode: 2 ** 31 + 0o755, mtime: 't', linkTarget: '' },
      'directory',
      0o755,
    ],
    [
      { name: 'tmp', size: 4096, mode: 2 ** 31 + 2 ** 20 + 0o777, mtime: 't', linkTarget: '' },
      'directory',
      0o1777,
    ],
    [
      { name: 'sh', size: 7, mode: 2 ** 27 + 0o777, mtime: 't', linkTarget: '/bin/busybox' },
      'symlink',
      0o777,
    ],
    [
      { name: 'su', size: 9, mode: 2 ** 23 + 2 ** 22 + 0o755, mtime: 't', linkTarget: '' },
      'file',
      0o6755,
    ],
    [
      { name: 'null', size: 0, mode: 2 ** 26 + 2 ** 21 + 0o666, mtime: 't', linkTarget: '' },
      'other',
      0o666,
    ],
  ])('reads %j as a %s with mode %o', (raw, kind, mode) => {
    expect(decodePathStat(encode(raw))).toEqual({
      name: raw.name,
      kind,
      sizeBytes: raw.size,
      mode,
      mtime: 't',
      linkTarget: raw.linkTarget,
    });
  });

  it('takes the first of repeated headers', () => {
    expect(decodePathStat([encode({ name: 'a', size: 1, mode: 0o600 }), 'x'])?.name).toBe('a');
  });

  it.each([undefined, '', 'not base64 json', encode({ size: 3 })])('refuses %j', (header) => {
    expect(decodePathStat(header)).toBeUndefined();
  });
});
