import type { Transfer } from '../../src/transfers/transfer.js';
import { SshTransport } from '../../src/transports/ssh/ssh-transport.js';
import type { Transport } from '../../src/transports/transport.js';
import { startSshTestbed, type SshTestbed } from './ssh-testbed.js';
import type { TransferContractTarget } from './transfer-contract.js';

/** A command through a transport, its stdout; a non-zero exit rejects with its output. */
export async function execOn(transport: Transport, command: string): Promise<string> {
  const outcome = await transport.exec(command, { timeoutMs: 60_000 });
  if (outcome.exitCode !== 0)
    throw new Error(`\`${command}\` exited with ${outcome.exitCode}: ${outcome.output.toString()}`);
  return outcome.stdout.toString();
}

/**
 * Transfer contract targets on the SSH test bed's `direct` server, started once per test file:
 * the transfer runs as otto, the contract's checks as root; `stop()` (in the file's `afterAll`)
 * closes every connection and the test bed.
 * @example
 * const ssh = new SshContractTargets();
 * afterAll(() => ssh.stop());
 * describeTransferContract('sftp', ssh.target('sftp', (t) => new SftpTransfer(t)), { hasFull: true });
 */
export class SshContractTargets {
  private bed: Promise<SshTestbed> | undefined;
  private readonly transports: SshTransport[] = [];

  /** The test bed, started on first use. */
  testbed(): Promise<SshTestbed> {
    this.bed ??= startSshTestbed(['direct']);
    return this.bed;
  }

  /** A new connection to `direct` as `username` (whose password is its name), closed by stop(). */
  async connect(username: 'otto' | 'root', knownHostsPath?: string): Promise<SshTransport> {
    const bed = await this.testbed();
    const { host, port } = bed.server('direct');
    const ssh = new SshTransport({
      host,
      port,
      username,
      password: username,
      knownHostsPath: knownHostsPath ?? bed.newKnownHostsPath(),
      name: 'direct',
    });
    this.transports.push(ssh);
    return ssh;
  }

  /**
   * A contract target: its own remote, read-only and full (/dev/shm filled to 256 KiB free)
   * folders named after `name`. `readOnlyReason` is how the transfer words the read-only put.
   */
  target(
    name: string,
    makeTransfer: (ssh: SshTransport) => Transfer,
    readOnlyReason = (dir: string): string => `cannot write ${dir}: permission denied`,
  ): () => Promise<TransferContractTarget> {
    return async () => {
      const knownHostsPath = (await this.testbed()).newKnownHostsPath();
      const otto = await this.connect('otto', knownHostsPath);
      const root = await this.connect('root', knownHostsPath);
      const sh = (command: string): Promise<string> => execOn(root, command);
      const remoteDir = `/home/otto/contract-${name}`;
      const readOnlyDir = `/srv/read-only-${name}`;
      const fullDir = `/dev/shm/full-${name}`;
      const filler = `/dev/shm/.filler-${name}`;
      await sh(`install -d -o otto -g otto ${remoteDir} && install -d -m 555 ${readOnlyDir}`);
      await sh(
        `install -d -m 777 ${fullDir} && fallocate -l $(( $(df -k --output=avail /dev/shm | tail -n 1) * 1024 - 262144 )) ${filler}`,
      );
      return {
        transfer: makeTransfer(otto),
        sh,
        remoteDir,
        readOnly: { dir: readOnlyDir, reason: readOnlyReason(readOnlyDir) },
        full: {
          dir: fullDir,
          reason: `cannot write ${fullDir}/binary.bin: no space left on device`,
        },
        close: async () => {
          await sh(`rm -rf ${remoteDir} ${readOnlyDir} ${fullDir} ${filler}`);
        },
      };
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.transports.map((transport) => transport.close()));
    await (await this.bed?.catch(() => undefined))?.stop();
  }
}
