import { describe, expect, it } from 'vitest';
import { modeOfPermissions, parseWalk } from './remote-walk.js';
import { TransferRun } from './transfer-run.js';

const place = { host: 'box', kind: 'shell' };

describe('modeOfPermissions', () => {
  it('reads permission bits, setuid, setgid and sticky', () => {
    expect(modeOfPermissions('-rw-r-----')).toBe(0o640);
    expect(modeOfPermissions('drwxr-x--x')).toBe(0o751);
    expect(modeOfPermissions('-rwsr-sr-t')).toBe(0o7755);
    expect(modeOfPermissions('-rwSr-Sr-T')).toBe(0o7644);
  });
});

describe('parseWalk', () => {
  it('names entries relative to their source, parents first', () => {
    using run = new TransferRun(place, 'get', ['/srv/tree', '/etc/a b'], '/tmp/x', {});
    const output = [
      'd drwxr-x--- 2 0 0 4096 Jan 1 00:00 /srv/tree',
      '/srv/tree',
      'f -rw-r--r-- 1 0 0 12 Jan 1 00:00 /srv/tree/x',
      '/srv/tree/x',
      'f -rwxr-xr-x 1 1000 1000 3 Jan 1 00:00 /etc/a b',
      '/etc/a b',
      '',
    ].join('\n');
    expect(parseWalk(run, run.paths, output)).toEqual([
      { kind: 'dir', path: '/srv/tree', relative: 'tree', mode: 0o750, sizeBytes: 0 },
      { kind: 'file', path: '/srv/tree/x', relative: 'tree/x', mode: 0o644, sizeBytes: 12 },
      { kind: 'file', path: '/etc/a b', relative: 'a b', mode: 0o755, sizeBytes: 3 },
    ]);
  });

  it('fails on a missing source with REMOTE_PATH_NOT_FOUND', () => {
    using run = new TransferRun(place, 'get', ['/nope'], '/tmp/x', {});
    expect(() => parseWalk(run, run.paths, 'm\n/nope\n')).toThrow(
      expect.objectContaining({
        code: 'REMOTE_PATH_NOT_FOUND',
        message: 'get /nope on host "box" [shell] failed: no such file or directory.',
      }),
    );
  });
});
