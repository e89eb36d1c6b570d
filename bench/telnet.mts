// `npm run bench -- telnet`: telnet hosts and the transfers of shell-only devices, against the
// raw tools, side by side in one run (medians and ratios):
// - a command on a telnet host's persistent shell, and a pooled oneshot, next to the same box's
//   SSH session;
// - 64 MiB put and get by netcat and by FTP, next to a raw netcat pipe of the same file to the same
//   box (the issue asks at least 0.8x its speed); the shell-only (base64) transfer for reference.
// The box is the test bed's `direct` box (busybox telnetd, vsftpd, netcat-openbsd) at its container
// address. BENCH_PARTS=run,transfer limits the parts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import { SshHost } from '../src/hosts/ssh-host.ts';
import { TelnetHost } from '../src/hosts/telnet-host.ts';
import { startTelnetTestbed, type TelnetBox } from '../test/helpers/telnet-testbed.ts';
import { ensureTestbedImages } from '../test/setup/testbed-images.ts';
import { compare } from './lib.mjs';

const PARTS = (process.env.BENCH_PARTS ?? 'run,transfer').split(',');
const BIG_BYTES = 64 << 20;
const SHELL_BYTES = 4 << 20;
const RAW_PORT = 9700;

export async function run(): Promise<void> {
  const { images } = await ensureTestbedImages(EngineClient.fromEnvironment());
  const bed = await startTelnetTestbed(['direct'], { image: images.testbed });
  const box = bed.box('direct');
  const dir = mkdtempSync(join(tmpdir(), 'otto-bench-telnet-'));
  const target = { host: box.host, user: 'otto', password: 'otto', name: 'bench-box' };
  const telnet = new TelnetHost(target, { log: false });
  try {
    if (PARTS.includes('run')) await benchRun(telnet, box, dir);
    if (PARTS.includes('transfer')) await benchTransfers(telnet, box, dir);
  } finally {
    await telnet.close();
    await bed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchRun(telnet: TelnetHost, box: TelnetBox, dir: string): Promise<void> {
  const ssh = new SshHost(
    {
      host: box.host,
      port: 22,
      username: 'otto',
      password: 'otto',
      knownHostsPath: join(dir, 'known_hosts'),
    },
    { log: false },
  );
  await ssh.run('true');
  await telnet.run('true');
  await telnet.oneshot('true');
  try {
    await compare(
      'telnet (container address): one command',
      [
        { name: 'otto TelnetHost.run("true") (persistent shell)', run: () => telnet.run('true') },
        { name: 'otto SshHost.run("true"), same box', run: () => ssh.run('true') },
        {
          name: 'otto TelnetHost.oneshot("true") (pooled session)',
          run: () => telnet.oneshot('true'),
        },
      ],
      { rounds: 300, warmup: 20 },
    );
  } finally {
    await ssh.close();
  }
}

async function benchTransfers(telnet: TelnetHost, box: TelnetBox, dir: string): Promise<void> {
  const big = join(dir, 'big.bin');
  writeFileSync(big, randomBytes(BIG_BYTES));
  const small = join(dir, 'shell.bin');
  writeFileSync(small, randomBytes(SHELL_BYTES));
  await box.sh('install -d -o otto -g otto /home/otto/bench && printf x > /home/otto/bench/warm');
  const remoteBig = '/home/otto/bench/big.bin';
  const back = (name: string): string => join(dir, name);
  // The file the gets read, put once by the raw pipe.
  const seed = rawPipe(box, 'put', big, remoteBig);
  await seed.prepare();
  await seed.run();
  // Every contender writes a new file, as the raw pipe does: removing the last round's copy (a
  // 64 MiB unlink, tens of milliseconds) is left out of every clock alike.
  const putBy = (kind: 'nc' | 'ftp') => ({
    prepare: () => box.sh(`rm -rf /home/otto/bench/${kind}`).then(() => undefined),
    run: () => telnet.put([big], `/home/otto/bench/${kind}`, { transfer: kind }),
  });
  const getBy = (kind: 'nc' | 'ftp') => ({
    prepare: async () => rmSync(back(`get-${kind}`), { recursive: true, force: true }),
    run: () => telnet.get([remoteBig], back(`get-${kind}`), { transfer: kind }),
  });
  // Times, not speeds: a ratio of 1.25x or less is at least 0.8x the raw pipe's speed.
  const rounds = { rounds: 11, warmup: 1 };
  await compare(
    '64 MiB put to a telnet box',
    [
      {
        name: 'raw netcat pipe (nc -l on the box, a socket here)',
        ...rawPipe(box, 'put', big, '/home/otto/bench/raw.bin'),
      },
      { name: 'otto put, transfer: nc', ...putBy('nc') },
      { name: 'otto put, transfer: ftp', ...putBy('ftp') },
    ],
    rounds,
  );
  await compare(
    '64 MiB get from a telnet box',
    [
      {
        name: 'raw netcat pipe (nc -l < file on the box)',
        ...rawPipe(box, 'get', back('raw.bin'), remoteBig),
      },
      { name: 'otto get, transfer: nc', ...getBy('nc') },
      { name: 'otto get, transfer: ftp', ...getBy('ftp') },
    ],
    rounds,
  );
  await compare(
    `${SHELL_BYTES >> 20} MiB by the shell-only transfer (base64 through the session), for reference`,
    [
      {
        name: 'otto put, transfer: shell',
        run: () => telnet.put([small], '/home/otto/bench/shell', { transfer: 'shell' }),
      },
      {
        name: 'otto get, transfer: shell',
        run: () =>
          telnet.get(['/home/otto/bench/shell/shell.bin'], back('get-shell'), {
            transfer: 'shell',
          }),
      },
    ],
    { rounds: 3, warmup: 1 },
  );
}

/**
 * A raw netcat pipe, one way: the box's nc is started and seen listening before the clock starts
 * (so the raw figure carries no `docker exec` start-up); timed are the connection, the bytes, and
 * the box's nc exiting once it has them all (a put) or has sent them all (a get).
 */
function rawPipe(box: TelnetBox, direction: 'put' | 'get', local: string, remote: string) {
  let listener: Promise<void> | undefined;
  const command =
    direction === 'put' ? `nc -l ${RAW_PORT} > ${remote}` : `nc -N -l ${RAW_PORT} < ${remote}`;
  return {
    prepare: async (): Promise<void> => {
      if (direction === 'put') await box.sh(`rm -f ${remote}`);
      else rmSync(local, { force: true });
      listener = dockerExec(box, command);
      await waitListening(box, RAW_PORT);
    },
    run: async (): Promise<void> => {
      const socket = await connectOnce(box.host, RAW_PORT);
      if (direction === 'put')
        await pipeline(createReadStream(local, { highWaterMark: 256 * 1024 }), socket);
      else await pipeline(socket, createWriteStream(local));
      await listener;
    },
  };
}

/** Waits until something listens on `port` in the box (read from its /proc/net/tcp). */
async function waitListening(box: TelnetBox, port: number): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (let attempt = 0; attempt < 200; attempt++) {
    const table = await box.sh('cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; true');
    if (new RegExp(`:${hex} [0-9A-F:]+ 0A `).test(table)) return;
  }
  throw new Error(`nothing listens on port ${port} in ${box.name}`);
}

/** Runs `command` in the box with `docker exec` (the CLI: no project code in the raw path). */
function dockerExec(box: TelnetBox, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['exec', box.container.id, 'sh', '-c', command], {
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command}: exit ${code}`)),
    );
  });
}

/** Connects to a listener known to be there. */
function connectOnce(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}
