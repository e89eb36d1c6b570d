import { ClosedError } from '../errors.js';
import type { CommandResult, RunResult } from '../hosts/command-result.js';
import type {
  Commands,
  ExpectOptions,
  Host,
  HostSession,
  InteractOptions,
  OneshotOptions,
  RunOptions,
} from '../hosts/host.js';
import type { RepeatOptions, RepeatRecord } from '../hosts/repeater.js';
import type { Argv } from '../transports/transport.js';
import type { HostTransferOptions } from '../hosts/host-transfers.js';
import type { TransferResult } from '../transfers/transfer.js';
import type { ComposeServiceHost } from './compose-service-host.js';

/**
 * The host of a declared compose service before its container is known. Making it contacts
 * nothing; the first call finds the running container (through the parent's engine) and every
 * call then goes to it. When the stack is not up, that call rejects with a DockerError
 * `STACK_NOT_UP` and a later call looks again.
 */
export class ComposePlaceholderHost implements Host {
  /** Container hosts are reached by exec. */
  readonly kind = 'docker-exec' as const;
  private logging = true;
  private resolving: Promise<ComposeServiceHost> | undefined;
  private resolved: ComposeServiceHost | undefined;
  private closed = false;

  constructor(
    /** The host id, `<parent>.<repo>.<service>`. */
    readonly id: string,
    /** The parent's reservation resources. */
    readonly resources: readonly string[],
    private readonly find: (signal?: AbortSignal) => Promise<ComposeServiceHost>,
  ) {}

  /** Log this host's commands and output lines. @default true */
  get log(): boolean {
    return this.logging;
  }

  set log(value: boolean) {
    this.logging = value;
    if (this.resolved) this.resolved.log = value;
  }

  /** The service's host, found on first use. */
  async target(signal?: AbortSignal): Promise<ComposeServiceHost> {
    if (this.closed) throw new ClosedError(`Host "${this.id}" is closed.`, { host: this.id });
    this.resolving ??= this.find(signal).then(
      (host) => {
        host.log = this.logging;
        this.resolved = host;
        return host;
      },
      (error: unknown) => {
        this.resolving = undefined;
        throw error;
      },
    );
    return this.resolving;
  }

  async run(cmds: Commands, options?: RunOptions): Promise<RunResult> {
    return (await this.target(options?.signal)).run(cmds, options);
  }

  async oneshot(cmd: string | Argv, options?: OneshotOptions): Promise<CommandResult> {
    return (await this.target(options?.signal)).oneshot(cmd, options);
  }

  async openSession(name: string): Promise<HostSession> {
    return (await this.target()).openSession(name);
  }

  async send(text: string): Promise<void> {
    return (await this.target()).send(text);
  }

  async expect(pattern: RegExp | string, options?: ExpectOptions): Promise<string> {
    return (await this.target()).expect(pattern, options);
  }

  async put(
    files: readonly string[],
    destDir: string,
    options?: HostTransferOptions,
  ): Promise<TransferResult> {
    return (await this.target(options?.signal)).put(files, destDir, options);
  }

  async get(
    files: readonly string[],
    destDir: string,
    options?: HostTransferOptions,
  ): Promise<TransferResult> {
    return (await this.target(options?.signal)).get(files, destDir, options);
  }

  async interact(options?: InteractOptions): Promise<void> {
    return (await this.target()).interact(options);
  }

  /** Starts at once when the container is known, else as soon as it is found. */
  startRepeat(name: string, cmds: Commands, options: RepeatOptions): void {
    if (this.resolved) return this.resolved.startRepeat(name, cmds, options);
    void this.target().then(
      (host) => host.startRepeat(name, cmds, options),
      () => undefined,
    );
  }

  async stopRepeat(name: string): Promise<void> {
    if (this.resolving) await (await this.resolving.catch(() => undefined))?.stopRepeat(name);
  }

  repeatResults(name: string): readonly RepeatRecord[] {
    return this.resolved?.repeatResults(name) ?? [];
  }

  /** Closes the container's host and the parent's engine client; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const host = await this.resolving?.catch(() => undefined);
    if (!host) return;
    await host.close();
    await host.engine.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
