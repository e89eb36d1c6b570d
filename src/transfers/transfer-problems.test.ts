import { describe, expect, it } from 'vitest';
import { finalPathOf, pathProblemOf, problemNamed, problemOf } from './transfer-problems.js';

describe('transfer problems', () => {
  it('reads a Node errno, an SFTP status and a message from the other side alike', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    expect(problemOf(enospc)).toEqual({
      phrase: 'no space left on device',
      code: 'DESTINATION_FULL',
      isMissing: false,
    });
    expect(problemOf(Object.assign(new Error('No such file'), { code: 2 }))).toEqual({
      phrase: 'no such file or directory',
      code: 'TRANSFER_FAILED',
      isMissing: true,
    });
    expect(problemOf(Object.assign(new Error('Permission denied'), { code: 3 })).code).toBe(
      'DESTINATION_NOT_WRITABLE',
    );
    expect(
      problemOf(new Error("mkdir: cannot create directory '/root/x': Permission denied")),
    ).toEqual({
      phrase: 'permission denied',
      code: 'DESTINATION_NOT_WRITABLE',
      isMissing: false,
    });
  });

  it('keeps the first line of an unknown error, without its final period', () => {
    expect(problemOf(new Error('the server said no.\nmore'))).toEqual({
      phrase: 'the server said no',
      code: 'TRANSFER_FAILED',
      isMissing: false,
    });
    expect(problemNamed('EDQUOT').code).toBe('DESTINATION_FULL');
    expect(problemNamed('EWEIRD').phrase).toBe('eweird');
  });

  it('finds the path and problem in scp and engine messages, temporary names shown as final', () => {
    expect(pathProblemOf('scp: /srv/.a.txt.otto-part-1a2b3c4d: No space left on device')).toEqual({
      path: '/srv/a.txt',
      problem: { phrase: 'no space left on device', code: 'DESTINATION_FULL', isMissing: false },
    });
    expect(pathProblemOf('write /full/binary.bin: no space left on device')?.path).toBe(
      '/full/binary.bin',
    );
    expect(pathProblemOf('open /ro/x: read-only file system')?.problem.code).toBe(
      'DESTINATION_NOT_WRITABLE',
    );
    expect(pathProblemOf('something else entirely')).toBeUndefined();
    expect(pathProblemOf('/a: no space left on device, and more')).toBeUndefined();
  });

  it('shows a temporary name as the file it stands for, and leaves other names', () => {
    expect(finalPathOf('/srv/app/.run.sh.otto-part-0011aabb')).toBe('/srv/app/run.sh');
    expect(finalPathOf('.x.otto-part-0011aabb')).toBe('x');
    expect(finalPathOf('/srv/.x.otto-part-nothex00')).toBe('/srv/.x.otto-part-nothex00');
  });
});
