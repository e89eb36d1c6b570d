import { afterAll } from 'vitest';
import { FtpTransfer } from '../src/transfers/ftp-transfer.js';
import {
  startTelnetTestbed,
  type TelnetBoxName,
  type TelnetTestbed,
} from './helpers/telnet-testbed.js';
import {
  describeTransferContract,
  type TransferContractTarget,
} from './helpers/transfer-contract.js';

// The transfer contract over vsftpd: on a box this machine reaches, and on one reached only
// through an SSH hop (control and passive data connections forwarded from the hop).

let testbed: Promise<TelnetTestbed> | undefined;
const transfers: FtpTransfer[] = [];

/** The test bed, started once for both boxes. */
function telnetTestbed(): Promise<TelnetTestbed> {
  testbed ??= startTelnetTestbed(['direct', 'behind']);
  return testbed;
}

afterAll(async () => {
  await Promise.all(transfers.map((transfer) => transfer.close()));
  await (await testbed)?.stop();
});

function ftpTarget(name: TelnetBoxName) {
  return async (): Promise<TransferContractTarget> => {
    const bed = await telnetTestbed();
    const box = bed.box(name);
    const transfer = new FtpTransfer({
      place: { host: `${name}-box`, kind: 'telnet' },
      tcp: bed.tcpTo(name),
      host: box.host,
      port: box.ftpPort,
      user: 'otto',
      password: 'otto',
    });
    transfers.push(transfer);
    const remoteDir = '/home/otto/contract-ftp';
    const readOnlyDir = '/srv/read-only-ftp';
    const fullDir = '/dev/shm/full-ftp';
    const filler = '/dev/shm/.filler-ftp';
    await box.sh(`install -d -o otto -g otto ${remoteDir} && install -d -m 555 ${readOnlyDir}`);
    // /dev/shm is a 64 MiB tmpfs: fill it to leave 256 KiB, less than the 1 MiB binary.bin.
    await box.sh(
      `install -d -m 777 ${fullDir} && fallocate -l $(( $(df -k --output=avail /dev/shm | tail -n 1) * 1024 - 262144 )) ${filler}`,
    );
    return {
      transfer,
      sh: (command) => box.sh(command),
      remoteDir,
      readOnly: {
        dir: readOnlyDir,
        reason: `cannot write ${readOnlyDir}/small.txt: permission denied`,
      },
      full: { dir: fullDir, reason: `cannot write ${fullDir}/binary.bin: no space left on device` },
      close: async () => {
        await box.sh(`rm -rf ${remoteDir} ${readOnlyDir} ${fullDir} ${filler}`);
      },
    };
  };
}

describeTransferContract('ftp (direct)', ftpTarget('direct'), { hasFull: true });
describeTransferContract('ftp (behind an SSH hop)', ftpTarget('behind'), { hasFull: true });
