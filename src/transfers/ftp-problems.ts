import { FTPError } from 'basic-ftp';
import { problemNamed, problemOf, type Problem } from './transfer-problems.js';

/** What a failed FTP command was doing: its reply codes mean different things for each. */
export type FtpAction = 'read' | 'write' | 'create';

/** Words of replies that name the problem (ProFTPD and Pure-FTPd quote `strerror`). */
const WORDS: ReadonlyArray<[RegExp, string]> = [
  [/no space|disk full|insufficient storage|storage allocation|quota/i, 'ENOSPC'],
  [/read-only file system/i, 'EROFS'],
  [/permission denied|access denied|not permitted/i, 'EACCES'],
  [/no such file|not found|does not exist/i, 'ENOENT'],
  [/not a directory/i, 'ENOTDIR'],
  [/file exists/i, 'EEXIST'],
];

/**
 * The problem behind a failed FTP command, in the words every transfer uses. A reply that names
 * it is taken at its word; else its code decides (RFC 959): 452 and 552 are a full disk; vsftpd,
 * which never sends those, answers a failed write of an opened file with `451 Failure writing to
 * local file`, whose cause is then the disk (a quota, no space). 550 and 553 on a write or create
 * are a refusal (vsftpd says only `Could not create file`), on a read a missing path. Errors that
 * are no reply (a lost connection) keep their own words.
 * @example ftpProblemOf(new FTPError({ code: 552, message: '552 Quota' }), 'write').code === 'DESTINATION_FULL'
 */
export function ftpProblemOf(error: unknown, action: FtpAction): Problem {
  if (!(error instanceof FTPError)) return lostOrOther(error);
  const byWords = WORDS.find(([words]) => words.test(error.message));
  if (byWords) return problemNamed(byWords[1]);
  if (error.code === 452 || error.code === 552) return problemNamed('ENOSPC');
  if (error.code === 451 && /writing to local file/i.test(error.message))
    return problemNamed('ENOSPC');
  if (error.code === 550 || error.code === 553)
    return problemNamed(action === 'read' ? 'ENOENT' : 'EACCES');
  return problemOf(new Error(`the server answered ${replyText(error)}`));
}

/** basic-ftp's words for a control connection the server ended. */
const CLOSED = /closed connection unexpectedly|sent FIN packet unexpectedly|ECONNRESET/;

function lostOrOther(error: unknown): Problem {
  const message = error instanceof Error ? error.message : String(error);
  if (!CLOSED.test(message)) return problemOf(error);
  return { phrase: 'the server closed the connection', code: 'TRANSFER_FAILED', isMissing: false };
}

/** A reply as shown in messages: `530 Login incorrect`, one line, no final period. */
export function replyText(error: { message: string }): string {
  return error.message.split(/\r?\n/)[0]!.trim().replace(/\.$/, '');
}
