import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePlace } from '../src/common/place.js';
import { SessionPoolTransport } from '../src/hosts/session-pool-transport.js';
import type { RemoteShell } from '../src/transfers/remote-shell.js';
import type { SshTransport } from '../src/transports/ssh/ssh-transport.js';
import type { TcpOpener } from '../src/transports/tcp-opener.js';
import { TelnetTransport } from '../src/transports/telnet/telnet-transport.js';
import {
  startTelnetTestbed,
  type TelnetBoxName,
  type TelnetTestbed,
} from './helpers/telnet-testbed.js';
import { NcTransfer, type NcOptions } from '../src/transfers/nc-transfer.js';
import { remoteShellOf } from '../src/transfers/remote-shell.js';
import { ShellTransfer } from '../src/transfers/shell-transfer.js';
import type { Transfer, TransferProgress } from '../src/transfers/transfer.js';
import { tcpThrough } from '../src/transports/tcp-opener.js';
import { execOn, SshContractTargets } from './helpers/ssh-contract-targets.js';
import {
  describeTransferContract,
  type TransferContractTarget,
} from './helpers/transfer-contract.js';

const ssh = new SshContractTargets();
afterAll(() => ssh.stop());

describeTransferContract(
  'shell (ssh)',
  ssh.target('shell', (ssh) => new ShellTransfer(remoteShellOf(ssh))),
  { hasFull: true },
);
describeTransferContract(
  'nc (ssh, OpenBSD nc)',
  ssh.target(
    'nc',
    (ssh) =>
      new NcTransfer({ shell: remoteShellOf(ssh), tcp: tcpThrough(ssh), address: '127.0.0.1' }),
  ),
  { hasFull: true },
);
describeTransferContract(
  'nc (ssh, busybox nc)',
  ssh.target(
    'bbnc',
    (ssh) =>
      new NcTransfer({
        shell: remoteShellOf(ssh),
        tcp: tcpThrough(ssh),
        address: '127.0.0.1',
        options: { execName: 'busybox nc' },
      }),
  ),
  { hasFull: true },
);

let telnetBed: TelnetTestbed | undefined;
const pools: SessionPoolTransport[] = [];

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await telnetBed?.stop();
});

/** A transfer over a telnet box of the test bed, its shell the pooled sessions of user otto. */
function telnetTarget(
  name: string,
  boxName: TelnetBoxName,
  makeTransfer: (shell: RemoteShell, tcp: TcpOpener, address: string) => Transfer,
) {
  return async (): Promise<TransferContractTarget> => {
    telnetBed ??= await startTelnetTestbed(['direct', 'behind']);
    const box = telnetBed.box(boxName);
    const tcp = telnetBed.tcpTo(boxName);
    const telnet = new TelnetTransport({
      host: box.host,
      user: 'otto',
      password: 'otto',
      tcp,
      name: boxName,
    });
    const pool = new SessionPoolTransport(telnet);
    pools.push(pool);
    const remoteDir = `/home/otto/contract-${name}`;
    const readOnlyDir = `/srv/read-only-${name}`;
    const fullDir = `/dev/shm/full-${name}`;
    const filler = `/dev/shm/.filler-${name}`;
    await box.sh(`install -d -o otto -g otto ${remoteDir} && install -d -m 555 ${readOnlyDir}`);
    await box.sh(
      `install -d -m 777 ${fullDir} && fallocate -l $(( $(df -k --output=avail /dev/shm | tail -n 1) * 1024 - 262144 )) ${filler}`,
    );
    return {
      transfer: makeTransfer(remoteShellOf(pool), tcp, box.host),
      sh: (command) => box.sh(command),
      remoteDir,
      readOnly: { dir: readOnlyDir, reason: `cannot write ${readOnlyDir}: permission denied` },
      full: { dir: fullDir, reason: `cannot write ${fullDir}/binary.bin: no space left on device` },
      close: async () => {
        await box.sh(`rm -rf ${remoteDir} ${readOnlyDir} ${fullDir} ${filler}`);
      },
    };
  };
}

describeTransferContract(
  'nc (telnet, direct, OpenBSD nc)',
  telnetTarget('nc', 'direct', (shell, tcp, address) => new NcTransfer({ shell, tcp, address })),
  { hasFull: true },
);
describeTransferContract(
  'nc (telnet, behind an SSH hop, busybox nc)',
  telnetTarget(
    'nc-behind',
    'behind',
    (shell, tcp, address) =>
      new NcTransfer({ shell, tcp, address, options: { execName: 'busybox nc' } }),
  ),
  { hasFull: true },
);
describeTransferContract(
  'shell (telnet, direct)',
  telnetTarget('shell', 'direct', (shell) => new ShellTransfer(shell)),
  { hasFull: true },
);

/** A netcat transfer and a root shell on its host, for the tests that kill its listener. */
interface KillTarget {
  nc: NcTransfer;
  /** Another netcat transfer to the same host, with options. */
  ncWith: (options: NcOptions) => NcTransfer;
  /** Runs a command as root on the host; resolves with its stdout. */
  sh: (command: string) => Promise<string>;
  place: string;
}

async function sshKillTarget(): Promise<KillTarget> {
  const root = await ssh.connect('root');
  const ncWith = (options: NcOptions): NcTransfer =>
    new NcTransfer({
      shell: remoteShellOf(root),
      tcp: tcpThrough(root),
      address: '127.0.0.1',
      options,
    });
  const nc = ncWith({});
  return { nc, ncWith, sh: (command) => execOn(root, command), place: describePlace(nc.place) };
}

async function telnetKillTarget(): Promise<KillTarget> {
  telnetBed ??= await startTelnetTestbed(['direct', 'behind']);
  const box = telnetBed.box('direct');
  const tcp = telnetBed.tcpTo('direct');
  const telnet = new TelnetTransport({
    host: box.host,
    user: 'root',
    password: 'root',
    tcp,
    name: 'direct',
  });
  const pool = new SessionPoolTransport(telnet);
  pools.push(pool);
  const ncWith = (options: NcOptions): NcTransfer =>
    new NcTransfer({ shell: remoteShellOf(pool), tcp, address: box.host, options });
  const nc = ncWith({});
  return { nc, ncWith, sh: (command) => box.sh(command), place: describePlace(nc.place) };
}

// A sparse 1 GiB file: the kill, sent at the first progress, always lands mid-transfer.
const KILLED_BYTES = 1 << 30;

describe.each([
  ['ssh', sshKillTarget],
  ['telnet', telnetKillTarget],
])('nc transfer (%s) when the server closes mid-transfer', (_name, makeTarget) => {
  let target: KillTarget;
  let local: string;

  beforeAll(async () => {
    target = await makeTarget();
    local = await mkdtemp(join(tmpdir(), 'otto-nc-killed-'));
    await writeFile(join(local, 'big.bin'), '');
    await truncate(join(local, 'big.bin'), KILLED_BYTES);
    await target.sh(`truncate -s ${KILLED_BYTES} /tmp/killed-get.bin`);
  }, 300_000);

  afterAll(async () => {
    if (local) await rm(local, { recursive: true, force: true });
    await target?.sh('rm -rf /srv/killed /tmp/killed-get.bin');
  });

  /** Kills the host's nc (once) as soon as bytes move. */
  const killOnProgress = () => {
    let killing: Promise<unknown> | undefined;
    return {
      onProgress: (p: TransferProgress): void => {
        if (p.doneBytes > 0 && !killing) killing = target.sh('pkill -x nc; true');
      },
      killed: () => killing,
    };
  };

  it('fails a put with a TransferError and leaves nothing at the destination', async () => {
    const source = join(local, 'big.bin');
    const kill = killOnProgress();
    const put = target.nc.put([source], '/srv/killed/deeper', { onProgress: kill.onProgress });
    await expect(put).rejects.toMatchObject({
      name: 'TransferError',
      code: 'TRANSFER_FAILED',
      message: `put ${source} on ${target.place} failed: the connection to nc on the host closed before all ${KILLED_BYTES} bytes were sent (nc was stopped by SIGTERM).`,
    });
    expect(kill.killed()).toBeDefined();
    await kill.killed();
    expect(await target.sh('[ -e /srv/killed ] && echo yes || echo no')).toBe('no\n');
  });

  it('fails a get with a TransferError and leaves nothing at the destination', async () => {
    const into = join(local, 'got', 'deeper');
    const kill = killOnProgress();
    const get = target.nc.get(['/tmp/killed-get.bin'], into, { onProgress: kill.onProgress });
    await expect(get).rejects.toMatchObject({
      name: 'TransferError',
      code: 'TRANSFER_FAILED',
      message: `get /tmp/killed-get.bin on ${target.place} failed: nc on the host was stopped by SIGTERM.`,
    });
    expect(kill.killed()).toBeDefined();
    await kill.killed();
    await expect(stat(join(local, 'got'))).rejects.toThrow('ENOENT');
  });
});

describe('nc transfer when ports of its range are in use on the host', () => {
  const busyPort = 9555;
  let target: KillTarget;
  let local: string;

  beforeAll(async () => {
    target = await telnetKillTarget();
    local = await mkdtemp(join(tmpdir(), 'otto-nc-in-use-'));
    await writeFile(join(local, 'file.txt'), 'some bytes\n');
    // Another program's listener, which must never receive our bytes.
    await target.sh(
      `nohup nc -lk ${busyPort} > /tmp/in-use.got 2>&1 < /dev/null & echo $! > /tmp/in-use.pid`,
    );
    await target.sh(
      `for i in $(seq 100); do grep -qi ':${busyPort.toString(16)} .* 0A ' /proc/net/tcp && exit 0; sleep 0.05; done; exit 1`,
    );
  }, 300_000);

  afterAll(async () => {
    if (local) await rm(local, { recursive: true, force: true });
    await target?.sh('kill $(cat /tmp/in-use.pid); rm -rf /tmp/in-use.* /srv/in-use; true');
  });

  const ncWith = (portMin: number, portMax: number): NcTransfer =>
    target.ncWith({ portMin, portMax });

  it('refuses a range whose only port is in use, naming it and what to do', async () => {
    const source = join(local, 'file.txt');
    await expect(ncWith(busyPort, busyPort).put([source], '/srv/in-use')).rejects.toMatchObject({
      name: 'TransferError',
      message: `put ${source} on ${target.place} failed: port ${busyPort} of nc's ports ${busyPort}-${busyPort} is in use on the host (set nc_options port_min and port_max to a free range).`,
    });
    expect(await target.sh('[ -e /srv/in-use ] && echo yes || echo no')).toBe('no\n');
  });

  it('takes another port of the range, and sends nothing to the program on the busy one', async () => {
    const nc = ncWith(busyPort, busyPort + 1);
    for (let round = 0; round < 12; round++) await nc.put([join(local, 'file.txt')], '/srv/in-use');
    expect(await target.sh('cat /srv/in-use/file.txt')).toBe('some bytes\n');
    expect(await target.sh('wc -c < /tmp/in-use.got')).toBe('0\n');
  });
});

// 300 folders of 200-character names, a file in each: the prelude's mkdir and the commit take
// more than one 120 KB script (the most `sh -c` takes over SSH), so both are split.
const MANY = 300;
describe.each([
  [
    'nc',
    (root: SshTransport) =>
      new NcTransfer({ shell: remoteShellOf(root), tcp: tcpThrough(root), address: '127.0.0.1' }),
  ],
  ['shell', (root: SshTransport) => new ShellTransfer(remoteShellOf(root))],
] as const)('%s transfer (ssh) of a tree too large for one script', (kind, makeTransfer) => {
  let root: SshTransport;
  let local: string;
  const into = `/srv/many-${kind}/deeper`;

  beforeAll(async () => {
    root = await ssh.connect('root');
    local = await mkdtemp(join(tmpdir(), 'otto-many-'));
    for (let index = 0; index < MANY; index++) {
      const dir = join(local, 'tree', `${String(index).padStart(3, '0')}-${'d'.repeat(196)}`);
      await mkdir(dir, { recursive: true, mode: 0o750 });
      await writeFile(join(dir, `${'f'.repeat(200)}.txt`), `file ${index}\n`, { mode: 0o640 });
    }
  }, 120_000);

  afterAll(async () => {
    if (local) await rm(local, { recursive: true, force: true });
    await execOn(root, `rm -rf /srv/many-${kind}`);
  });

  it('puts it whole, with its modes, and gets it back', async () => {
    const transfer = makeTransfer(root);
    const result = await transfer.put([join(local, 'tree')], into);
    expect(result.files).toHaveLength(MANY);
    const listing = await execOn(
      root,
      `cd ${into}/tree && find . -mindepth 1 -printf '%y %m\\n' | sort | uniq -c; cat 123-*/*.txt; ls -A ${into}`,
    );
    expect(listing.replace(/ +/g, ' ').trim()).toBe(
      ` ${MANY} d 750\n ${MANY} f 640\nfile 123\ntree`.trim(),
    );
    const back = join(local, 'back');
    const got = await transfer.get([`${into}/tree`], back);
    expect(got.files).toHaveLength(MANY);
    const name = `123-${'d'.repeat(196)}/${'f'.repeat(200)}.txt`;
    expect(await readFile(join(back, 'tree', name), 'utf8')).toBe('file 123\n');
  }, 300_000);
});
