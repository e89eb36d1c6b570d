import { describe, expect, it } from 'vitest';
import { AbortedError, TimeoutError, TransferError } from '../errors.js';
import { describePaths, startTransfer, transferPlace, TransferRun } from './transfer-run.js';

const PLACE = transferPlace({ host: 'db-1', kind: 'ssh', transport: 'otto@10.0.0.5:22' }, 'sftp');
const SHOWN = 'host "db-1" (otto@10.0.0.5:22) [sftp]';

describe('TransferRun', () => {
  it('words a failure with the direction, the path, the host and the reason', () => {
    using run = new TransferRun(PLACE, 'put', ['/a/b.txt'], '/srv', {});
    const error = run.writeFailed('/a/b.txt', '/srv/b.txt', { code: 'EACCES' });
    expect(error).toBeInstanceOf(TransferError);
    expect(error.message).toBe(
      `put /a/b.txt on ${SHOWN} failed: cannot write /srv/b.txt: permission denied.`,
    );
    expect(error.code).toBe('DESTINATION_NOT_WRITABLE');
    expect(error.details).toEqual({
      host: 'db-1',
      transport: 'otto@10.0.0.5:22',
      operation: 'put /a/b.txt',
    });
  });

  it('gives a missing source the code of its side, and an unreadable one a plain failure', () => {
    using put = new TransferRun(PLACE, 'put', ['/a'], '/srv', {});
    using get = new TransferRun(PLACE, 'get', ['/srv/a'], '/here', {});
    expect(put.sourceFailed('/a', { code: 'ENOENT' }).code).toBe('LOCAL_PATH_NOT_FOUND');
    expect(get.sourceFailed('/srv/a', { code: 2 })).toMatchObject({
      code: 'REMOTE_PATH_NOT_FOUND',
      message: `get /srv/a on ${SHOWN} failed: no such file or directory.`,
    });
    expect(get.sourceFailed('/srv/a', { code: 3 })).toMatchObject({
      code: 'TRANSFER_FAILED',
      message: `get /srv/a on ${SHOWN} failed: cannot read /srv/a: permission denied.`,
    });
  });

  it('refuses at once on a signal aborted before the call, naming what would have moved', () => {
    const reason = new Error('too late');
    const start = () =>
      startTransfer(PLACE, 'get', ['/srv/a', '/srv/b'], '/here', {
        signal: AbortSignal.abort(reason),
      });
    expect(start).toThrow(AbortedError);
    expect(start).toThrow(
      `Aborted getting 2 paths (/srv/a, /srv/b) into /here on ${SHOWN}: too late.`,
    );
  });

  it('turns anything thrown after its deadline into the timeout, and other errors into failures', async () => {
    using run = new TransferRun(PLACE, 'put', ['/big'], '/srv', { timeoutMs: 1 });
    expect(run.toError(new Error('connection reset'))).toMatchObject({
      code: 'TRANSFER_FAILED',
      message: `put /big on ${SHOWN} failed: connection reset.`,
    });
    await new Promise((resolve) => run.signal.addEventListener('abort', resolve));
    const error = run.toError(new Error('connection reset'));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      code: 'TRANSFER_TIMEOUT',
      message: `Timed out after 1ms putting /big into /srv on ${SHOWN}.`,
    });
  });

  it('names one path as it is, several counted with the first three', () => {
    expect(describePaths(['/a'])).toBe('/a');
    expect(describePaths(['/a', '/b', '/c', '/d'])).toBe('4 paths (/a, /b, /c, …)');
  });
});
