import { joinArgv } from '../common/quote.js';
import type { Argv } from '../transports/transport.js';
import { getDefaultLogger, type Logger } from '../common/logger.js';
import type { TransportKind } from '../transports/transport.js';
import type { TransferResult } from '../transfers/transfer.js';
import { dryRunResult, RunResult, type CommandResult } from './command-result.js';
import type { Commands, Host, HostSession } from './host.js';
import { HostLog } from './host-log.js';
import type { RepeatRecord } from './repeater.js';
import { normalizeCommands } from './run-commands.js';

/**
 * A host for `--dry-run`: it never connects. Commands and transfers are logged with
 * `[DRY RUN]` and come back `skipped` (which counts as ok), so an instruction runs through its
 * whole logic without touching a machine.
 * @example const host = new DryRunHost('carrot_seed', 'ssh');
 */
export class DryRunHost implements Host {
  log = true;
  private readonly lines: HostLog;

  constructor(
    readonly id: string,
    readonly kind: TransportKind,
    logger: Logger = getDefaultLogger(),
  ) {
    this.lines = new HostLog(id, logger, () => this.log);
  }

  run(cmds: Commands): Promise<RunResult> {
    return Promise.resolve(new RunResult(normalizeCommands(cmds).map(({ cmd }) => this.skip(cmd))));
  }

  oneshot(cmd: string | Argv): Promise<CommandResult> {
    return Promise.resolve(this.skip(typeof cmd === 'string' ? cmd : joinArgv(cmd)));
  }

  openSession(name: string): Promise<HostSession> {
    const session: HostSession = {
      name,
      isAlive: true,
      run: (cmds) => this.run(cmds),
      send: (text) => this.send(text),
      expect: () => Promise.resolve(''),
      close: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
    return Promise.resolve(session);
  }

  send(text: string): Promise<void> {
    this.lines.note(`[DRY RUN] send ${JSON.stringify(text)}`);
    return Promise.resolve();
  }

  expect(): Promise<string> {
    return Promise.resolve('');
  }

  put(files: readonly string[], destDir: string): Promise<TransferResult> {
    this.lines.note(`[DRY RUN] put ${files.join(' ')} -> ${destDir}`);
    return Promise.resolve({ files: [], durationMs: 0 });
  }

  get(files: readonly string[], destDir: string): Promise<TransferResult> {
    this.lines.note(`[DRY RUN] get ${files.join(' ')} -> ${destDir}`);
    return Promise.resolve({ files: [], durationMs: 0 });
  }

  interact(): Promise<void> {
    this.lines.note('[DRY RUN] login');
    return Promise.resolve();
  }

  startRepeat(name: string): void {
    this.lines.note(`[DRY RUN] repeat ${name}`);
  }

  stopRepeat(): Promise<void> {
    return Promise.resolve();
  }

  repeatResults(): readonly RepeatRecord[] {
    return [];
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private skip(command: string): CommandResult {
    this.lines.command(`[DRY RUN] ${command}`);
    return dryRunResult(command);
  }
}
