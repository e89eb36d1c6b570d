import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../common/deadline.js';
import { describePlace } from '../common/place.js';
import { directTcp } from '../transports/tcp-opener.js';
import {
  startTelnetTestbed,
  type TelnetBox,
  type TelnetTestbed,
} from '../../test/helpers/telnet-testbed.js';
import { FtpTransfer, probeFtp, type FtpTransferOptions } from './ftp-transfer.js';
import type { TransferProgress } from './transfer.js';

// What FTP adds to the transfer contract (test/transfer-contract-ftp.int.test.ts): logins, probes,
// modes the server cannot keep, a server that dies mid-transfer, sessions kept between calls.

/** Kills the box's vsftpd sessions (every vsftpd but the listener, the oldest). */
const KILL_SESSIONS =
  'listener=$(pgrep -o vsftpd); for p in $(pgrep vsftpd); do [ "$p" = "$listener" ] || kill -9 "$p"; done; true';
const SESSIONS = 'pgrep -u otto vsftpd | wc -l';
const BIG_BYTES = 128 << 20;

describe('FTP transfer (vsftpd)', () => {
  let bed: TelnetTestbed;
  let box: TelnetBox;
  let local: string;
  let options: FtpTransferOptions;
  let ftp: FtpTransfer;
  const remoteDir = '/home/otto/ftp-extra';

  beforeAll(async () => {
    bed = await startTelnetTestbed(['direct', 'behind']);
    box = bed.box('direct');
    local = await mkdtemp(join(tmpdir(), 'otto-ftp-extra-'));
    // Large enough that a kill through `docker exec` lands while it moves (about a second).
    for (let chunk = 0; chunk < 8; chunk++)
      await appendFile(join(local, 'big.bin'), randomBytes(BIG_BYTES / 8));
    await writeFile(join(local, 'setuid'), '#!/bin/sh\n');
    await chmod(join(local, 'setuid'), 0o4755);
    options = {
      place: { host: 'direct-box', kind: 'telnet' },
      tcp: directTcp(),
      host: box.host,
      user: 'otto',
      password: 'otto',
    };
    ftp = new FtpTransfer(options);
    await box.sh(`install -d -o otto -g otto ${remoteDir}`);
  }, 300_000);

  afterAll(async () => {
    await ftp?.close();
    if (local) await rm(local, { recursive: true, force: true });
    await bed?.stop();
  });

  it('refuses a wrong password with an auth error naming the user, never the password', async () => {
    const wrong = new FtpTransfer({ ...options, password: 'not-the-password' });
    const place = describePlace(wrong.place);
    const started = performance.now();
    const put = wrong.put([join(local, 'setuid')], remoteDir);
    await expect(put).rejects.toMatchObject({
      name: 'ConnectionError',
      code: 'AUTH_FAILED',
      message:
        `FTP login failed for otto on ${place}: the server answered 530 Login incorrect.\n` +
        `Fix: check the user and password of otto for FTP on ${box.host}:21.`,
    });
    expect(place).toBe(`host "direct-box" (otto@${box.host}:21) [ftp]`);
    expect(((await put.catch((error: Error) => error)) as Error).message).not.toContain(
      'not-the-password',
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('refuses a port nobody listens on with a connect error', async () => {
    const refused = new FtpTransfer({ ...options, port: 2121 });
    await expect(refused.get([`${remoteDir}/x`], join(local, 'refused'))).rejects.toMatchObject({
      name: 'ConnectionError',
      code: 'CONNECT_FAILED',
      message: `Cannot connect to host "direct-box" (otto@${box.host}:2121) [ftp]: connection refused (is the server running on that port?).`,
    });
    await expect(stat(join(local, 'refused'))).rejects.toThrow('ENOENT');
  });

  it('refuses a port nobody listens on behind a hop with a connect error', async () => {
    const behind = bed.box('behind');
    const refused = new FtpTransfer({
      ...options,
      tcp: bed.tcpTo('behind'),
      host: behind.host,
      port: 2121,
    });
    await expect(refused.put([join(local, 'setuid')], remoteDir)).rejects.toMatchObject({
      name: 'ConnectionError',
      code: 'CONNECT_FAILED',
    });
  });

  it('probes: usable, a wrong password, a login directory it cannot write', async () => {
    expect(await probeFtp(options)).toBeUndefined();
    expect(await probeFtp({ ...options, password: 'nope' })).toBe(
      `cannot log in: FTP login failed for otto on host "direct-box" (otto@${box.host}:21) [ftp]: the server answered 530 Login incorrect`,
    );
    await box.sh('chmod 555 /home/otto');
    try {
      expect(await probeFtp(options)).toBe(
        'the server refuses writes: the server answered 550 Create directory operation failed',
      );
    } finally {
      await box.sh('chmod 755 /home/otto');
    }
    expect(await box.sh('ls -A /home/otto | grep otto-probe || true')).toBe('');
  });

  it('probes a server that does not set modes as unusable, so that auto passes it by', async () => {
    // A second vsftpd of the box, on another port, with SITE CHMOD turned off.
    const port = 2121;
    await box.sh(
      `nohup vsftpd -olisten_port=${port} -ochmod_enable=NO -opasv_min_port=30010 -opasv_max_port=30019 /etc/vsftpd.conf > /dev/null 2>&1 < /dev/null & echo $! > /tmp/vsftpd-nochmod.pid`,
    );
    try {
      // Until it listens, the probe says it cannot connect.
      const answer = (why: string | undefined) =>
        why?.includes('Cannot connect') ? undefined : (why ?? 'usable');
      await waitUntil(() => probeFtp({ ...options, port }).then(answer), {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: `the second vsftpd on port ${port}`,
      }).then((why) =>
        expect(why).toMatch(
          /^the server does not set modes \(SITE CHMOD\): the server answered 5\d\d /,
        ),
      );
      expect(await box.sh('ls -A /home/otto | grep otto-probe || true')).toBe('');
    } finally {
      await box.sh('kill $(cat /tmp/vsftpd-nochmod.pid); rm -f /tmp/vsftpd-nochmod.pid');
    }
  });

  it('fails a put of a setuid file the server cannot keep, naming the mode, and leaves nothing', async () => {
    const source = join(local, 'setuid');
    await expect(ftp.put([source], `${remoteDir}/modes`)).rejects.toMatchObject({
      name: 'TransferError',
      code: 'TRANSFER_FAILED',
      message: `put ${source} on ${describePlace(ftp.place)} failed: the server did not keep mode 4755 of ${remoteDir}/modes/setuid: it set 0755 (it drops setuid, setgid and sticky bits).`,
    });
    expect(await box.sh(`ls -A ${remoteDir}`)).toBe('');
  });

  it('fails a put whose server dies midway, and removes its temporary over a new session', async () => {
    const source = join(local, 'big.bin');
    let killed: Promise<string> | undefined;
    const onProgress = (p: TransferProgress): void => {
      if (p.doneBytes > 0 && p.doneBytes < p.totalBytes) killed ??= box.sh(KILL_SESSIONS);
    };
    await expect(ftp.put([source], `${remoteDir}/killed`, { onProgress })).rejects.toMatchObject({
      name: 'TransferError',
      code: 'TRANSFER_FAILED',
      message: `put ${source} on ${describePlace(ftp.place)} failed: cannot write ${remoteDir}/killed/big.bin: the server closed the connection.`,
    });
    await killed;
    expect(await box.sh(`ls -A ${remoteDir}`)).toBe('');
  });

  it('fails a get whose server dies midway, and keeps nothing of it here', async () => {
    await ftp.put([join(local, 'big.bin')], `${remoteDir}/source`);
    const into = join(local, 'killed-get');
    let killed: Promise<string> | undefined;
    const onProgress = (p: TransferProgress): void => {
      if (p.doneBytes > 0 && p.doneBytes < p.totalBytes) killed ??= box.sh(KILL_SESSIONS);
    };
    const remote = `${remoteDir}/source/big.bin`;
    await expect(ftp.get([remote], into, { onProgress })).rejects.toMatchObject({
      name: 'TransferError',
      code: 'TRANSFER_FAILED',
      message: `get ${remote} on ${describePlace(ftp.place)} failed: cannot read ${remote}: the server closed the connection.`,
    });
    await killed;
    await expect(stat(into)).rejects.toThrow('ENOENT');
  });

  it('keeps one session between calls, opens a new one when the server ended it, and closes it', async () => {
    await ftp.put([join(local, 'setuid')], `${remoteDir}/kept`).catch(() => undefined);
    const file = join(local, 'kept.txt');
    await writeFile(file, 'kept\n');
    await ftp.put([file], `${remoteDir}/kept`);
    expect(await box.sh(SESSIONS)).toBe('1\n');
    await ftp.put([file], `${remoteDir}/kept`);
    expect(await box.sh(SESSIONS)).toBe('1\n');
    await box.sh(KILL_SESSIONS);
    const into = await mkdtemp(join(local, 'kept-'));
    await ftp.get([`${remoteDir}/kept/kept.txt`], into);
    expect(await readFile(join(into, 'kept.txt'), 'utf8')).toBe('kept\n');
    await ftp.close();
    await waitUntil(async () => ((await box.sh(SESSIONS)) === '0\n' ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the FTP session to end on the box',
    });
  });
});
