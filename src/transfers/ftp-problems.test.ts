import { FTPError } from 'basic-ftp';
import { describe, expect, it } from 'vitest';
import { ftpProblemOf, replyText } from './ftp-problems.js';

const reply = (code: number, text: string): FTPError =>
  new FTPError({ code, message: `${code} ${text}` });

describe('ftpProblemOf', () => {
  it('takes a reply that names the problem at its word', () => {
    expect(ftpProblemOf(reply(550, 'a.txt: Permission denied'), 'read')).toEqual({
      phrase: 'permission denied',
      code: 'DESTINATION_NOT_WRITABLE',
      isMissing: false,
    });
    expect(ftpProblemOf(reply(550, 'a.txt: No such file or directory'), 'write')).toMatchObject({
      isMissing: true,
    });
    expect(ftpProblemOf(reply(553, 'Read-only file system'), 'write').phrase).toBe(
      'read-only file system',
    );
  });

  it('reads the code where the words say nothing (vsftpd)', () => {
    const full = { phrase: 'no space left on device', code: 'DESTINATION_FULL', isMissing: false };
    expect(ftpProblemOf(reply(552, 'Exceeded'), 'write')).toEqual(full);
    expect(ftpProblemOf(reply(452, 'Nope'), 'write')).toEqual(full);
    expect(ftpProblemOf(reply(451, 'Failure writing to local file.'), 'write')).toEqual(full);
    expect(ftpProblemOf(reply(553, 'Could not create file.'), 'write')).toEqual({
      phrase: 'permission denied',
      code: 'DESTINATION_NOT_WRITABLE',
      isMissing: false,
    });
    expect(ftpProblemOf(reply(550, 'Failed to open file.'), 'read')).toEqual({
      phrase: 'no such file or directory',
      code: 'TRANSFER_FAILED',
      isMissing: true,
    });
  });

  it('quotes other replies, and keeps the words of errors that are no reply', () => {
    expect(ftpProblemOf(reply(421, 'Timeout.'), 'write').phrase).toBe(
      'the server answered 421 Timeout',
    );
    expect(ftpProblemOf(new Error('Server closed connection unexpectedly.'), 'write')).toEqual({
      phrase: 'the server closed the connection',
      code: 'TRANSFER_FAILED',
      isMissing: false,
    });
  });
});

describe('replyText', () => {
  it('shows the first line of a reply without its final period', () => {
    expect(replyText({ message: '530 Login incorrect.\r\n' })).toBe('530 Login incorrect');
  });
});
