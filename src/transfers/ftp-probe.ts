import { randomBytes } from 'node:crypto';
import { FtpConnection } from './ftp-connection.js';
import { replyText } from './ftp-problems.js';
import { normalizeFtpOptions, type FtpTransferOptions } from './ftp-options.js';

/**
 * For `transfer: "auto"`: can files move over FTP to this server? Logs in, then makes and removes
 * a scratch directory in the login directory (`MKD`, `RMD`), since many servers let users in
 * read-only. Resolves undefined when FTP is usable, else why not, in words for a message
 * (`cannot log in: FTP login failed for otto on host "box" (…) [ftp]: the server answered 530
 * Login incorrect`). Never rejects; aborting `signal` resolves with the abort as the reason.
 * @example
 * const whyNot = await probeFtp({ place, tcp: directTcp(), host: '10.0.0.7', user, password });
 * if (whyNot === undefined) transfer = new FtpTransfer(options);
 */
export async function probeFtp(
  options: FtpTransferOptions,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let connection: FtpConnection;
  try {
    connection = await FtpConnection.open(normalizeFtpOptions(options), signal);
  } catch (error) {
    return `cannot log in: ${firstLine(error)}`;
  }
  const scratch = `.otto-probe-${randomBytes(4).toString('hex')}`;
  try {
    return await checkWrites(connection, scratch);
  } finally {
    connection.close();
  }
}

/** Undefined when `scratch` could be made, given a mode and removed, else why not. */
async function checkWrites(
  connection: FtpConnection,
  scratch: string,
): Promise<string | undefined> {
  try {
    await connection.command(`MKD ${scratch}`);
  } catch (error) {
    return `the server refuses writes: ${firstLine(error)}`;
  }
  // Puts keep modes by SITE CHMOD: a server that refuses it would fail every put.
  const chmod = await connection.command(`SITE CHMOD 700 ${scratch}`).then(
    () => undefined,
    (error: unknown) => `the server does not set modes (SITE CHMOD): ${firstLine(error)}`,
  );
  try {
    await connection.command(`RMD ${scratch}`);
    return chmod;
  } catch (error) {
    return `the server refuses removals: ${firstLine(error)}`;
  }
}

function firstLine(error: unknown): string {
  if (error instanceof Error && /^\d{3}[ -]/.test(error.message))
    return `the server answered ${replyText(error)}`;
  return (error instanceof Error ? error.message : String(error))
    .split('\n')[0]!
    .replace(/\.$/, '');
}
