import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { waitUntil } from '../../src/common/deadline.js';
import { StartedContainer } from '../../src/docker/containers/started-container.js';
import { DockerExecTransport } from '../../src/docker/exec/docker-exec-transport.js';
import { StartedNetwork } from '../../src/docker/networks/started-network.js';
import type { SshTarget } from '../../src/transports/ssh/ssh-target.js';
import { SshTransport } from '../../src/transports/ssh/ssh-transport.js';
import { directTcp, tcpThrough, type TcpOpener } from '../../src/transports/tcp-opener.js';
import { engine } from './engine.js';
import { startSshTestbed, waitForSshd, type SshTestbed } from './ssh-testbed.js';

/** The telnet boxes a test file can ask for. */
export type TelnetBoxName = 'direct' | 'behind' | 'inetutils';

/**
 * One test bed box: busybox telnetd (inetutils-telnetd for `inetutils`), vsftpd, nc and sshd.
 * Login otto/otto and root/root.
 */
export interface TelnetBox {
  name: TelnetBoxName;
  /** Its container address: reached from this machine, or for `behind` from the hop. */
  host: string;
  telnetPort: number;
  ftpPort: number;
  container: StartedContainer;
  /** Runs `command` with sh as root in the box; rejects on a non-zero exit. */
  sh(command: string): Promise<string>;
}

/** The running boxes (and hop); `stop()` removes them all. */
export interface TelnetTestbed {
  /** The box, or an error when the test bed was started without it. */
  box(name: TelnetBoxName): TelnetBox;
  /** The SSH server in front of `behind` (root, published on 127.0.0.1); throws without `behind`. */
  hop: SshTarget;
  /** One SSH connection to the hop, made on first use and closed by `stop()`. */
  hopTransport(): SshTransport;
  /** How this machine opens TCP streams to `name`: direct, or through the hop for `behind`. */
  tcpTo(name: TelnetBoxName): TcpOpener;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const TELNET_PORT = 23;
const FTP_PORT = 21;
const IAC = 0xff;

/**
 * Starts the asked-for boxes from the test bed image. `direct` and `inetutils` sit on a network of
 * their own that this machine reaches at their container addresses (no published ports, so FTP
 * passive and nc ports work); `behind` sits on an internal network with the hop's sshd only.
 * Returns once every telnetd sends its negotiation and every vsftpd its 220 greeting.
 * @example await using bed = await startTelnetTestbed(['direct', 'behind']);
 */
export async function startTelnetTestbed(
  names: readonly TelnetBoxName[],
  options: { image?: string } = {},
): Promise<TelnetTestbed> {
  // Inside a test run the global setup provides the image; scripts (benchmarks) pass it.
  const image = options.image ?? (await import('vitest')).inject('images').testbed;
  const parts = new TestbedParts(`${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await parts.start(names, image);
    return parts.toTestbed();
  } catch (error) {
    await parts.stop();
    throw error;
  }
}

/** What one test bed made, in the order `stop()` removes it. */
class TestbedParts {
  readonly boxes = new Map<TelnetBoxName, TelnetBox>();
  readonly containers: StartedContainer[] = [];
  readonly networks: StartedNetwork[] = [];
  readonly shells: DockerExecTransport[] = [];
  sshBed: SshTestbed | undefined;
  hop: SshTarget | undefined;
  hopSsh: SshTransport | undefined;

  constructor(readonly suffix: string) {}

  async start(names: readonly TelnetBoxName[], image: string): Promise<void> {
    const open = names.some((name) => name !== 'behind')
      ? await this.startNetwork('open', false)
      : undefined;
    if (names.includes('behind')) await this.startHop(image);
    const started = names.map((name) =>
      this.startBox(name, image, name === 'behind' ? this.networks.at(-1)! : open!),
    );
    for (const box of await Promise.all(started)) this.boxes.set(box.name, box);
  }

  toTestbed(): TelnetTestbed {
    const stop = (): Promise<void> => this.stop();
    const requireHop = (): SshTarget => this.requireHop();
    return {
      box: (name) => {
        const box = this.boxes.get(name);
        if (!box) throw new Error(`The telnet test bed was started without "${name}".`);
        return box;
      },
      get hop(): SshTarget {
        return requireHop();
      },
      hopTransport: () => this.hopTransport(),
      tcpTo: (name) => this.tcpTo(name),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  }

  requireHop(): SshTarget {
    if (!this.hop) throw new Error('The telnet test bed was started without "behind" (no hop).');
    return this.hop;
  }

  hopTransport(): SshTransport {
    this.hopSsh ??= new SshTransport(this.requireHop());
    return this.hopSsh;
  }

  tcpTo(name: TelnetBoxName): TcpOpener {
    return name === 'behind' ? tcpThrough(this.hopTransport()) : directTcp();
  }

  async stop(): Promise<void> {
    await this.hopSsh?.close();
    await Promise.all(this.shells.map((shell) => shell.close()));
    await Promise.all(this.containers.map((container) => container.stop()));
    await this.sshBed?.stop();
    await Promise.all(this.networks.map((network) => network.stop()));
  }

  private async startNetwork(kind: string, internal: boolean): Promise<StartedNetwork> {
    const network = await StartedNetwork.start(engine, {
      name: `otto-telnet-${kind}-${this.suffix}`,
      internal,
      purpose: 'telnet-testbed',
    });
    this.networks.push(network);
    return network;
  }

  /** The hop: the SSH test bed's published `direct`, joined to an internal network for `behind`. */
  private async startHop(image: string): Promise<void> {
    const inner = await this.startNetwork('inner', true);
    this.sshBed = await startSshTestbed(['direct'], { image });
    const server = this.sshBed.server('direct');
    await inner.connect(server.container.id);
    this.hop = {
      host: server.host,
      port: server.port,
      username: 'root',
      password: 'root',
      knownHostsPath: this.sshBed.newKnownHostsPath(),
      name: 'hop',
    };
  }

  private async startBox(
    name: TelnetBoxName,
    image: string,
    network: StartedNetwork,
  ): Promise<TelnetBox> {
    const container = await StartedContainer.start(engine, {
      image,
      hostname: name,
      env: {
        SERVICES: 'sshd ftpd telnetd',
        ...(name === 'inetutils' ? { TELNETD: 'inetutils' } : {}),
      },
      network: network.name,
      // An init reaps what daemonizing servers and ended logins leave (sshd as PID 1 does not).
      init: true,
      purpose: `telnet-testbed-${name}`,
    });
    this.containers.push(container);
    await container.refresh();
    const shell = new DockerExecTransport(engine, container.id, { user: 'root' });
    this.shells.push(shell);
    const box: TelnetBox = {
      name,
      host: container.ipAddress(network.name),
      telnetPort: TELNET_PORT,
      ftpPort: FTP_PORT,
      container,
      sh: (command) => runAsRoot(shell, command),
    };
    await this.waitForServers(box);
    return box;
  }

  private async waitForServers(box: TelnetBox): Promise<void> {
    const tcp = this.tcpTo(box.name);
    await waitForSshd(box.container, undefined);
    await waitUntil(() => readGreeting(tcp, box.host, box.telnetPort, (b) => b[0] === IAC), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 100,
      what: `telnetd in ${box.name} to negotiate on ${box.host}:${box.telnetPort}`,
    });
    await waitUntil(
      () => readGreeting(tcp, box.host, box.ftpPort, (b) => b.toString('latin1').startsWith('220')),
      {
        timeoutMs: READY_TIMEOUT_MS,
        intervalMs: 100,
        what: `vsftpd in ${box.name} to greet on ${box.host}:${box.ftpPort}`,
      },
    );
  }
}

async function runAsRoot(shell: DockerExecTransport, command: string): Promise<string> {
  const outcome = await shell.exec(command, { timeoutMs: 60_000 });
  if (outcome.exitCode !== 0)
    throw new Error(`\`${command}\` exited with ${outcome.exitCode}: ${outcome.output.toString()}`);
  return outcome.stdout.toString();
}

/** Opens `host:port` and resolves true once the first bytes the server sends pass `isGreeting`. */
async function readGreeting(
  tcp: TcpOpener,
  host: string,
  port: number,
  isGreeting: (first: Buffer) => boolean,
): Promise<true | undefined> {
  let stream: Duplex;
  try {
    stream = await tcp.open(host, port, { timeoutMs: 2000 });
  } catch {
    return undefined;
  }
  return new Promise((resolve) => {
    const done = (value: true | undefined): void => {
      clearTimeout(timer);
      stream.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), 2000);
    stream.once('data', (chunk: Buffer) => done(isGreeting(chunk) ? true : undefined));
    stream.once('error', () => done(undefined));
    stream.once('close', () => done(undefined));
  });
}
