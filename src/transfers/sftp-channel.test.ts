import { EventEmitter } from 'node:events';
import type { SFTPWrapper } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { SftpChannel } from './sftp-channel.js';

/** An SFTP wrapper that answers nothing, as ssh2 does for a request made after the channel's input ended. */
function silentSftp(): SFTPWrapper & EventEmitter {
  const sftp = new EventEmitter() as SFTPWrapper & EventEmitter;
  const asked: string[] = [];
  Object.assign(sftp, {
    asked,
    stat: (path: string) => void asked.push(path),
    end: () => sftp.emit('close'),
  });
  return sftp;
}

describe('SftpChannel', () => {
  it('fails a request left unanswered when the channel closes', async () => {
    const sftp = silentSftp();
    const channel = new SftpChannel(sftp);
    const stat = channel.stat('/left/unanswered');
    channel.end();
    await expect(stat).rejects.toThrow('the SFTP channel is closed');
    await channel.closed;
  });

  it('fails a request made after the close at once, without sending it', async () => {
    const sftp = silentSftp();
    const channel = new SftpChannel(sftp);
    channel.end();
    await expect(channel.stat('/too/late')).rejects.toThrow('the SFTP channel is closed');
    expect((sftp as unknown as { asked: string[] }).asked).toEqual([]);
  });

  it('settles a request once, with its answer, when it comes before the close', async () => {
    const sftp = new EventEmitter() as SFTPWrapper & EventEmitter;
    Object.assign(sftp, {
      stat: (_path: string, done: (error: undefined, stats: object) => void) =>
        done(undefined, { size: 7 }),
    });
    const channel = new SftpChannel(sftp);
    await expect(channel.stat('/answered')).resolves.toEqual({ size: 7 });
    sftp.emit('close');
    await channel.closed;
  });
});
