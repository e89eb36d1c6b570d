import { describe, expect, it } from 'vitest';
import { modeOfPermissions, parseFtpList, parseFtpListLine } from './ftp-list.js';

describe('modeOfPermissions', () => {
  it.each([
    ['rwxr-xr-x', 0o755],
    ['rw-r-----', 0o640],
    ['---------', 0o000],
    ['rwsr-xr-x', 0o4755],
    ['rwSr--r--', 0o4644],
    ['rwxr-sr-x', 0o2755],
    ['rw-r-Sr--', 0o2644],
    ['rwxrwxrwt', 0o1777],
    ['rwxrwxrwT', 0o1776],
    ['--S--S--T', 0o7000],
    ['rws--s--x', 0o6711],
  ])('reads %s as %o', (letters, mode) => {
    expect(modeOfPermissions(letters)).toBe(mode);
  });
});

describe('parseFtpList', () => {
  it('reads a vsftpd listing: types, modes, sizes and names with spaces', () => {
    const raw = [
      'drwxrwxrwt    2 1000     1000         4096 Dec 02 03:19 .',
      'drwxr-xr-x    1 0        0            4096 Dec 02 03:18 ..',
      "-rw-r-----    1 1000     1000            6 May 07  2026 it's spaced.txt",
      '-rwsr-xr-x    1 0        0         1048849 Dec 02 03:19 setuid',
      'lrwxrwxrwx    1 0        0               1 Dec 02 03:19 link -> b',
      'prw-r--r--    1 0        0               0 Dec 02 03:19 pipe',
      '',
    ].join('\r\n');
    expect(parseFtpList(raw)).toEqual([
      { name: '.', type: 'dir', mode: 0o1777, sizeBytes: 4096 },
      { name: '..', type: 'dir', mode: 0o755, sizeBytes: 4096 },
      { name: "it's spaced.txt", type: 'file', mode: 0o640, sizeBytes: 6 },
      { name: 'setuid', type: 'file', mode: 0o4755, sizeBytes: 1048849 },
      { name: 'link', type: 'link', mode: 0o777, sizeBytes: 1, linkTarget: 'b' },
      { name: 'pipe', type: 'other', mode: 0o644, sizeBytes: 0 },
    ]);
  });

  it('keeps leading and inner spaces of names, reads owner names and ACL marks', () => {
    expect(parseFtpListLine('-rw-r--r--+ 1 otto staff 12 Jan  1  2024  two  spaces ')).toEqual({
      name: ' two  spaces ',
      type: 'file',
      mode: 0o644,
      sizeBytes: 12,
    });
  });

  it('skips lines that list no entry', () => {
    expect(parseFtpList('total 12\r\n\r\nnot a listing line\r\n')).toEqual([]);
  });

  it('keeps a link whose listing names no target', () => {
    expect(parseFtpListLine('lrwxrwxrwx 1 0 0 3 Dec 02 03:19 odd')).toEqual({
      name: 'odd',
      type: 'link',
      mode: 0o777,
      sizeBytes: 3,
    });
  });
});
