import type { Logger } from '../common/logger.js';

/**
 * A host's log lines: `@db-1 | make install` for a command, `@db-1 > | output line` for its
 * output. Commands go to `info`, output lines to `debug`; the host's `log` switch silences both.
 */
export class HostLog {
  constructor(
    private readonly hostId: string,
    private readonly logger: Logger,
    private readonly isEnabled: () => boolean,
  ) {}

  command(command: string, session = 'default'): void {
    if (!this.isEnabled()) return;
    const where = session === 'default' ? `@${this.hostId}` : `@${this.hostId}/${session}`;
    for (const [index, line] of command.split('\n').entries())
      this.logger.info(`${where} ${index === 0 ? '|' : ':'} ${line}`);
  }

  output(line: string): void {
    if (this.isEnabled()) this.logger.debug(`@${this.hostId} > | ${line}`);
  }

  note(message: string): void {
    if (this.isEnabled()) this.logger.info(`@${this.hostId} ${message}`);
  }
}
