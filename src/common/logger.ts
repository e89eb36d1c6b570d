/** Severity levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** A severity: `debug`, `info`, `warn` or `error`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where otto-ts writes what it does. */
export interface Logger {
  /** Writes detail that helps find a fault (commands sent, engine requests). */
  debug(message: string): void;
  /** Writes what is being done, for people following along. */
  info(message: string): void;
  /** Writes something that went wrong but did not stop the work. */
  warn(message: string): void;
  /** Writes a failure. */
  error(message: string): void;
}

/** A logger that writes `level` and above to stderr. */
export function createConsoleLogger(level: LogLevel = 'info'): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const write = (at: LogLevel) => (message: string) => {
    if (LOG_LEVELS.indexOf(at) >= threshold)
      process.stderr.write(`${at === 'info' ? '' : `${at}: `}${message}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that drops everything. */
export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let defaultLogger: Logger = createConsoleLogger('warn');

/** The logger hosts and other components use when none is given. @default console, warnings and above */
export function getDefaultLogger(): Logger {
  return defaultLogger;
}

/** Replaces the default logger (the CLI points it at its log file and console). */
export function setDefaultLogger(logger: Logger): void {
  defaultLogger = logger;
}
