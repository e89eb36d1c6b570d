import { randomBytes } from 'node:crypto';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { ConnectionError, TimeoutError } from '../../errors.js';
import type { TelnetConnection } from './telnet-connection.js';
import type { ResolvedTelnetTarget } from './telnet-target.js';

/**
 * How often the shell handshake is typed again: login(1) flushes what was typed before the shell
 * ran (busybox login: the shell answers about 150 ms after the password, so at 500 ms every login
 * took 0.6 s; at 100 ms, 0.2 s).
 */
const PROBE_INTERVAL_MS = 100;
/** Output kept for matching prompts and for messages. */
const MAX_SEEN_CHARS = 16_384;
const TAIL_CHARS = 400;

type LoginStep = 'user' | 'password' | 'shell';

/**
 * Logs in on a fresh telnet connection and proves a shell answers: the user at the login prompt,
 * the password at the password prompt (never logged, never in a message), then a handshake an
 * echoing device cannot fake: `printf` assembles a marker from two arguments, so only a shell
 * that ran the line prints it whole, at the start of a line, with the shell's pid (`$$`).
 * Resolves the shell's pid. A refusal (a failure message, the login prompt again) rejects with
 * `AUTH_FAILED`; no shell within `loginTimeoutMs` with `LOGIN_TIMEOUT`; a hang-up with
 * `CONNECTION_LOST`.
 * @example const shellPid = await logIn(connection, target, place);
 */
export function logIn(
  connection: TelnetConnection,
  target: ResolvedTelnetTarget,
  place: Place,
): Promise<number> {
  return new LoginWatch(connection, target, place).run();
}

/** Line end typed at prompts: CR, which terminals and devices alike take as Enter. */
const ENTER = '\r';

class LoginWatch {
  private step: LoginStep;
  /** Output since the last thing we typed, for the prompts. */
  private sinceTyped = '';
  /** Output since the handshake started, for the marker. */
  private sinceProbe = '';
  private hasTypedUser = false;
  private readonly marker = `OTTO_LOGIN_${randomBytes(6).toString('hex')}`;
  private readonly markerPattern: RegExp;
  private readonly probe: string;
  private probeTimer?: NodeJS.Timeout;
  private settle!: { resolve: (pid: number) => void; reject: (error: Error) => void };

  constructor(
    private readonly connection: TelnetConnection,
    private readonly target: ResolvedTelnetTarget,
    private readonly place: Place,
  ) {
    this.step = target.user ? 'user' : 'shell';
    const [head, tail] = [this.marker.slice(0, 6), this.marker.slice(6)];
    this.probe = `printf '%s%s:%s\\n' '${head}' '${tail}' "$$"${ENTER}`;
    this.markerPattern = new RegExp(`(?:^|\\n)${this.marker}:(\\d+)\\r?\\n`);
  }

  run(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(this.timedOut()), this.target.loginTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(this.probeTimer);
      };
      this.settle = {
        resolve: (pid) => {
          done();
          // What follows the handshake is the shell's: keep it for the channel.
          this.connection.holdData();
          resolve(pid);
        },
        reject: (error) => (done(), reject(error)),
      };
      this.connection.onClose((error) => this.fail(this.hungUp(error)));
      this.connection.onData((chunk) => this.receive(chunk.toString('latin1')));
      if (this.step === 'shell') this.startProbing();
    });
  }

  private receive(text: string): void {
    this.sinceTyped = (this.sinceTyped + text).slice(-MAX_SEEN_CHARS);
    this.sinceProbe = (this.sinceProbe + text).slice(-MAX_SEEN_CHARS);
    const match = this.probeTimer
      ? this.markerPattern.exec(this.sinceProbe.replace(/\r/g, ''))
      : null;
    if (match) return this.settle.resolve(Number(match[1]));
    const refusal = this.findRefusal();
    if (refusal) return this.fail(refusal);
    if (this.step === 'user' && this.target.loginPrompt.test(this.sinceTyped)) this.typeUser();
    else this.answerPasswordPrompt();
  }

  private typeUser(): void {
    this.type(`${this.target.user!}${ENTER}`);
    this.hasTypedUser = true;
    this.step = this.target.password === undefined ? 'shell' : 'password';
    if (this.step === 'shell') this.startProbing();
  }

  private answerPasswordPrompt(): void {
    if (this.step !== 'password' || !this.target.passwordPrompt.test(this.sinceTyped)) return;
    this.type(`${this.target.password!}${ENTER}`);
    this.step = 'shell';
    this.startProbing();
  }

  /** What tells that the server refused us, or asks for what we cannot give. */
  private findRefusal(): ConnectionError | undefined {
    const seen = this.sinceTyped;
    const { loginPrompt, passwordPrompt, failurePattern, user, password } = this.target;
    if (!user && loginPrompt.test(seen))
      return this.refused('asks for a login, but no user is configured');
    if (!this.hasTypedUser) return undefined;
    if (failurePattern.test(seen) || loginPrompt.test(seen))
      return this.refused(`refused the password of user "${user!}"`);
    if (password === undefined && passwordPrompt.test(seen))
      return this.refused(`asks for the password of user "${user!}", but none is configured`);
    if (this.step === 'shell' && password !== undefined && passwordPrompt.test(seen))
      return this.refused(`refused the password of user "${user!}"`);
    return undefined;
  }

  private type(text: string): void {
    this.sinceTyped = '';
    this.connection.write(text);
  }

  private startProbing(): void {
    this.sinceProbe = '';
    this.connection.write(this.probe);
    this.probeTimer = setInterval(() => this.connection.write(this.probe), PROBE_INTERVAL_MS);
  }

  private fail(error: Error): void {
    this.settle.reject(error);
  }

  private refused(why: string): ConnectionError {
    return new ConnectionError(
      'AUTH_FAILED',
      `Authentication failed for ${describePlace(this.place)}: the server ${why}.`,
      {
        ...placeDetails(this.place),
        fix: 'check the user and password of the host (and its login and password prompt patterns).',
      },
    );
  }

  private timedOut(): TimeoutError {
    return new TimeoutError(
      'LOGIN_TIMEOUT',
      `Login timed out on ${describePlace(this.place)}: no ${this.awaited()} within ${this.target.loginTimeoutMs}ms.`,
      {
        ...placeDetails(this.place),
        outputTail: this.lastOutput(),
        fix: 'check that the server gives a shell to this user, and the login and password prompt patterns; raise loginTimeoutMs for a slow device.',
      },
    );
  }

  private hungUp(error: Error | undefined): ConnectionError {
    const why = error ? `: ${error.message}` : '';
    return new ConnectionError(
      'CONNECTION_LOST',
      `Login failed on ${describePlace(this.place)}: the server closed the connection while ${this.awaited()} was awaited${why}.`,
      { ...placeDetails(this.place), outputTail: this.lastOutput(), cause: error },
    );
  }

  private awaited(): string {
    if (this.step === 'user') return `login prompt (${String(this.target.loginPrompt)})`;
    if (this.step === 'password') return `password prompt (${String(this.target.passwordPrompt)})`;
    return 'shell answer to the login handshake';
  }

  /** The last output, printable, with the password blanked should a device have echoed it. */
  private lastOutput(): string {
    let text = this.sinceProbe || this.sinceTyped;
    if (this.target.password) text = text.split(this.target.password).join('***');
    return text.replace(/[^\x20-\x7e\n]/g, '').slice(-TAIL_CHARS) || '(no output)';
  }
}
