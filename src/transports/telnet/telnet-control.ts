import { QUIET_SHELL } from '../../common/quiet-shell.js';
import { randomBytes } from 'node:crypto';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { quotePosix } from '../../common/quote.js';
import { ConnectionError, TimeoutError } from '../../errors.js';
import type { TelnetConnection } from './telnet-connection.js';

/** Most output a control script may print; more is cut from the front. */
const MAX_OUTPUT_CHARS = 65_536;

interface PendingScript {
  pattern: RegExp;
  resolve: (output: string) => void;
  reject: (error: Error) => void;
}

/**
 * A minimal runner of shell scripts on one logged-in telnet connection, the transport's side
 * shell for kills and signals (the transports layer has no session engine). Each script runs as
 * `sh -c <script>` with no input, then a marker assembled by `printf` from two arguments ends its
 * output; scripts run one at a time. A script that overruns its deadline leaves the connection
 * unusable: it is then cut, and the next script needs a new runner.
 * @example const output = await control.run('echo hi', 10_000);
 */
export class TelnetControl {
  private readonly token = randomBytes(6).toString('hex');
  private seq = 0;
  private seen = '';
  private pending?: PendingScript;
  private queue: Promise<unknown> = Promise.resolve();
  private broken?: Error;

  constructor(
    private readonly connection: TelnetConnection,
    private readonly place: Place,
  ) {
    connection.onData((chunk) => this.receive(chunk.toString('utf8')));
    connection.onClose((error) => this.markBroken(this.lost(error)));
  }

  /** True while scripts can still run on it. */
  get isUsable(): boolean {
    return this.broken === undefined;
  }

  /** Turns echo, prompts and history off; resolves once the shell answered. */
  async prepare(timeoutMs: number): Promise<void> {
    await this.send(`stty -echo 2>/dev/null; ${QUIET_SHELL}`, timeoutMs);
  }

  /** Runs `script` with `sh -c` and resolves its output (stdout and stderr, CRs dropped). */
  run(script: string, timeoutMs: number): Promise<string> {
    const result = this.queue.then(() =>
      this.send(`sh -c ${quotePosix(script)} </dev/null 2>&1`, timeoutMs),
    );
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the control shell's connection. */
  close(): void {
    this.markBroken(
      new ConnectionError(
        'CONNECTION_LOST',
        `The telnet control connection of ${describePlace(this.place)} was closed.`,
      ),
    );
    this.connection.destroy();
  }

  private send(line: string, timeoutMs: number): Promise<string> {
    if (this.broken) return Promise.reject(this.broken);
    const end = `OTTO_CTL_${this.token}_${++this.seq}`;
    const [head, tail] = [end.slice(0, 4), end.slice(4)];
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = this.overran(line, timeoutMs);
        this.markBroken(error);
        this.connection.destroy();
      }, timeoutMs);
      this.pending = {
        pattern: new RegExp(`(?:^|\\n)${end}\\n`),
        resolve: (output) => (clearTimeout(timer), resolve(output)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.seen = '';
      this.connection.write(`${line}; printf '%s%s\\n' '${head}' '${tail}'\n`);
    });
  }

  private receive(text: string): void {
    const pending = this.pending;
    if (!pending) return;
    this.seen = (this.seen + text.replace(/\r/g, '')).slice(-MAX_OUTPUT_CHARS);
    const match = pending.pattern.exec(this.seen);
    if (!match) return;
    this.pending = undefined;
    pending.resolve(this.seen.slice(0, match.index + (match[0].startsWith('\n') ? 1 : 0)));
  }

  private markBroken(error: Error): void {
    this.broken ??= error;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.broken);
  }

  private overran(line: string, timeoutMs: number): TimeoutError {
    return new TimeoutError(
      'COMMAND_TIMEOUT',
      `A control script on ${describePlace(this.place)} did not finish within ${timeoutMs}ms.`,
      {
        ...placeDetails(this.place),
        operation: line.split('\n')[0],
        outputTail: this.seen.slice(-400),
      },
    );
  }

  private lost(error: Error | undefined): ConnectionError {
    return new ConnectionError(
      'CONNECTION_LOST',
      `The telnet control connection of ${describePlace(this.place)} ended: the server hung up${error ? ` (${error.message})` : ''}.`,
      { ...placeDetails(this.place), cause: error },
    );
  }
}
