import { ConfigError } from '../../errors.js';
import { integerIn, nonEmptyString, show } from '../../common/value-checks.js';
import { directTcp, type TcpOpener } from '../tcp-opener.js';

/** Where and how to reach a telnet server, and how to log in. */
export interface TelnetTarget {
  /** The server's address, as the network of `tcp` sees it: a name or an IP address. */
  host: string;
  /** The server's port. @default 23 */
  port?: number;
  /** The user to log in as; without one no login prompt is expected (the shell comes at once). */
  user?: string;
  /** The password, sent at the password prompt; without one no password prompt is expected. */
  password?: string;
  /** What the login prompt looks like (a regex, or its source), matched at the end of the output. @default /(login|username)\s*:\s*$/i */
  loginPrompt?: RegExp | string;
  /** What the password prompt looks like, matched at the end of the output. @default /password\s*:\s*$/i */
  passwordPrompt?: RegExp | string;
  /** What a refused login prints. @default /login incorrect|incorrect|denied|authentication fail/i */
  failurePattern?: RegExp | string;
  /** Give up opening the TCP connection after this long. @default 10000 */
  connectTimeoutMs?: number;
  /** Give up when no shell answers this long after connecting (negotiation plus login). @default 20000 */
  loginTimeoutMs?: number;
  /** Terminal type sent when the server asks (TTYPE). @default 'dumb' */
  term?: string;
  /** Terminal width sent by NAWS. @default 200 */
  cols?: number;
  /** Terminal height sent by NAWS. @default 50 */
  rows?: number;
  /** Name for messages, e.g. a lab host id. */
  name?: string;
  /** How TCP streams are opened (directly, or through an SSH hop chain). @default directTcp() */
  tcp?: TcpOpener;
}

/** A {@link TelnetTarget} with every default filled in and patterns compiled. */
export interface ResolvedTelnetTarget {
  host: string;
  port: number;
  user?: string;
  password?: string;
  loginPrompt: RegExp;
  passwordPrompt: RegExp;
  failurePattern: RegExp;
  connectTimeoutMs: number;
  loginTimeoutMs: number;
  term: string;
  cols: number;
  rows: number;
  name?: string;
  tcp: TcpOpener;
}

/** The login prompt of busybox login, util-linux login, inetutils and most devices. */
export const DEFAULT_LOGIN_PROMPT = /(login|username)\s*:\s*$/i;
/** The password prompt of login(1) and most devices. */
export const DEFAULT_PASSWORD_PROMPT = /password\s*:\s*$/i;
/** What login(1) and devices print when they refuse a login. */
export const DEFAULT_FAILURE_PATTERN = /login incorrect|incorrect|denied|authentication fail/i;

/**
 * Checks a target once and fills every default. Throws one {@link ConfigError}
 * (`INVALID_TELNET_TARGET`) listing all problems.
 * @example const target = normalizeTelnetTarget({ host: '10.0.0.5', user: 'otto', password: 'otto' });
 */
export function normalizeTelnetTarget(target: TelnetTarget): ResolvedTelnetTarget {
  const problems: string[] = [];
  const check = (field: string, problem: string | undefined): void => {
    if (problem) problems.push(`${field}: ${problem}`);
  };
  check('host', nonEmptyString(target.host));
  check('port', integerIn(target.port, 1, 65535));
  if (target.user !== undefined) check('user', nonEmptyString(target.user));
  if (target.password !== undefined && typeof target.password !== 'string')
    check('password', `expected a string, got a ${typeof target.password}`);
  if (target.term !== undefined) check('term', nonEmptyString(target.term));
  check('connectTimeoutMs', integerIn(target.connectTimeoutMs, 1, 86_400_000));
  check('loginTimeoutMs', integerIn(target.loginTimeoutMs, 1, 86_400_000));
  check('cols', integerIn(target.cols, 1, 65535));
  check('rows', integerIn(target.rows, 1, 65535));
  const compile = (field: string, value: RegExp | string | undefined, fallback: RegExp): RegExp =>
    compilePattern(value, fallback, (problem) => check(field, problem));
  const resolved: ResolvedTelnetTarget = {
    host: target.host,
    port: target.port ?? 23,
    user: target.user,
    password: target.password,
    loginPrompt: compile('loginPrompt', target.loginPrompt, DEFAULT_LOGIN_PROMPT),
    passwordPrompt: compile('passwordPrompt', target.passwordPrompt, DEFAULT_PASSWORD_PROMPT),
    failurePattern: compile('failurePattern', target.failurePattern, DEFAULT_FAILURE_PATTERN),
    connectTimeoutMs: target.connectTimeoutMs ?? 10_000,
    loginTimeoutMs: target.loginTimeoutMs ?? 20_000,
    term: target.term ?? 'dumb',
    cols: target.cols ?? 200,
    rows: target.rows ?? 50,
    name: target.name,
    tcp: target.tcp ?? directTcp(),
  };
  if (problems.length > 0) throw invalidTarget(target, problems);
  return resolved;
}

/** `otto@10.0.0.5:23`, `10.0.0.5:23` without a user, `+ via <hop>` through a hop chain. */
export function describeTelnetAddress(target: ResolvedTelnetTarget): string {
  const link = `${target.user ? `${target.user}@` : ''}${target.host}:${target.port}`;
  return target.tcp.via ? `${link} via ${target.tcp.via}` : link;
}

function compilePattern(
  value: RegExp | string | undefined,
  fallback: RegExp,
  report: (problem: string) => void,
): RegExp {
  if (value === undefined) return fallback;
  if (value instanceof RegExp) return value;
  if (typeof value !== 'string' || value === '') {
    report(`expected a regular expression or its source, got ${show(value)}`);
    return fallback;
  }
  try {
    return new RegExp(value, 'i');
  } catch (error) {
    const why = (error as Error).message.replace(/^Invalid regular expression: /, '');
    report(`not a valid regular expression: ${why}`);
    return fallback;
  }
}

function invalidTarget(target: TelnetTarget, problems: string[]): ConfigError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const link = `${String(target.host)}:${String(target.port ?? 23)}`;
  const where = target.name ? `"${target.name}" (${link})` : link;
  return new ConfigError(
    'INVALID_TELNET_TARGET',
    [`Invalid telnet target ${where}: ${count}.`, ...problems.map((p) => `  - ${p}`)].join('\n'),
  );
}
