import { writeSync } from 'node:fs';
import { LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
import { processSecrets, type SecretMasker } from './secret-masker.js';

/**
 * The logger of one invocation: the console (stderr, coloured on a terminal, from `--log-level`
 * up) and `otto.log` (everything from debug up, without ANSI). Secrets (lab passwords and
 * passphrases) are replaced by `********` before anything is written anywhere (see
 * secret-masker.ts).
 */

/** Options of {@link createInvocationLogger}. */
export interface InvocationLoggerOptions {
  consoleLevel: LogLevel;
  /** Descriptor of `otto.log`; without one, the console only. */
  logFd?: number;
  /** The secrets never to write. @default the process's secrets (known once a lab is loaded) */
  masker?: SecretMasker;
  /** Colour the console. @default stderr is a terminal and NO_COLOR is unset */
  color?: boolean;
  /** @default process.stderr */
  console?: { write(text: string): unknown };
}

// eslint-disable-next-line no-control-regex -- matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const STYLE: Record<LogLevel, [string, string]> = {
  debug: ['\x1b[2m', '\x1b[22m'],
  info: ['', ''],
  warn: ['\x1b[33m', '\x1b[39m'],
  error: ['\x1b[31m', '\x1b[39m'],
};

/** An invocation logger, which can also write to `otto.log` alone. */
export interface InvocationLogger extends Logger {
  /** Writes a message to `otto.log` only (e.g. a failure the console got in its own words). */
  toFile(level: LogLevel, message: string): void;
}

/** Makes the logger of an invocation (see the file comment). */
export function createInvocationLogger(options: InvocationLoggerOptions): InvocationLogger {
  const threshold = LOG_LEVELS.indexOf(options.consoleLevel);
  const masker = options.masker ?? processSecrets;
  const color = options.color ?? (Boolean(process.stderr.isTTY) && !process.env.NO_COLOR);
  const out = options.console ?? process.stderr;
  const toFile = (level: LogLevel, message: string) => {
    if (options.logFd !== undefined)
      writeSync(options.logFd, fileLine(level, masker.mask(message)));
  };
  const write = (level: LogLevel) => (message: string) => {
    const safe = masker.mask(message);
    if (options.logFd !== undefined) writeSync(options.logFd, fileLine(level, safe));
    if (LOG_LEVELS.indexOf(level) >= threshold) out.write(consoleLine(level, safe, color));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    toFile,
  };
}

function fileLine(level: LogLevel, message: string): string {
  const stamp = new Date().toISOString();
  const tag = level.toUpperCase().padEnd(5);
  return message
    .replace(ANSI, '')
    .split('\n')
    .map((line) => `${stamp} ${tag} ${line}\n`)
    .join('');
}

function consoleLine(level: LogLevel, message: string, color: boolean): string {
  const prefix = level === 'warn' ? 'warning: ' : level === 'error' ? 'error: ' : '';
  const text = `${prefix}${message}`;
  if (!color) return `${text.replace(ANSI, '')}\n`;
  const [open, close] = isHostOutput(message) ? ['\x1b[33m', '\x1b[39m'] : STYLE[level];
  const styled = isHostCommand(message) ? `\x1b[1m${text}\x1b[22m` : `${open}${text}${close}`;
  return `${styled}\n`;
}

function isHostCommand(message: string): boolean {
  return /^@\S+ \| /.test(message);
}

function isHostOutput(message: string): boolean {
  return /^@\S+ > \| /.test(message);
}
