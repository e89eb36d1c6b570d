import { quotePosix } from '../../common/quote.js';
import {
  CommandError,
  ConfigError,
  ConnectionError,
  TimeoutError,
  tailLines,
} from '../../errors.js';
import type { ExecOptions, ExecOutcome } from '../transport.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHOWN_COMMAND_CHARS = 200;

/** Why and when a direct command is stopped early: its timeout or the caller's abort signal. */
export interface ExecStop {
  /** Aborts when the command must stop. */
  signal: AbortSignal;
  /** The error of a command that was stopped, with the output it gave so far. */
  error(output: Buffer): Error;
  /** The error of a command whose connection went away before it finished. */
  lostError(output: Buffer, reason: Error | undefined): Error;
  /** The outcome of a command stopped before its channel opened. */
  unfinishedOutcome(): ExecOutcome;
  dispose(): void;
}

/** Arms a command's timeout and links the caller's abort signal. */
export function createExecStop(options: ExecOptions, command: string, address: string): ExecStop {
  const controller = new AbortController();
  let cause: 'timeout' | 'abort' = 'timeout';
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const onAbort = (): void => {
    cause = 'abort';
    controller.abort();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const shown = shortCommand(command);
  const error = (output: Buffer): Error => {
    const outputTail = tailLines(output.toString('utf8')) || undefined;
    if (cause === 'timeout') {
      return new TimeoutError(
        'COMMAND_TIMEOUT',
        `Timed out after ${options.timeoutMs}ms running \`${shown}\` on ${address} [ssh].`,
        { where: address, operation: command, outputTail },
      );
    }
    const reason = describeAbortReason(options.signal?.reason);
    return new CommandError(
      'COMMAND_ABORTED',
      `Aborted \`${shown}\` on ${address} [ssh]${reason}.`,
      {
        where: address,
        operation: command,
        outputTail,
        cause: options.signal?.reason,
      },
    );
  };
  return {
    signal: controller.signal,
    error,
    lostError: (output, reason) =>
      new ConnectionError(
        'CONNECTION_LOST',
        `Lost the connection to ${address} [ssh] while running \`${shown}\`${reason ? `: ${reason.message.split('\n')[0]!.replace(/\.$/, '')}` : ''}.`,
        {
          where: address,
          operation: command,
          outputTail: tailLines(output.toString('utf8')) || undefined,
          cause: reason,
        },
      ),
    unfinishedOutcome: () => {
      const empty = Buffer.alloc(0);
      return { exitCode: -1, stdout: empty, stderr: empty, output: empty, error: error(empty) };
    },
    dispose: () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Prefixes a command line with `export NAME=value;` for each variable (sshd drops most env requests). */
export function withEnv(commandLine: string, env: Record<string, string> | undefined): string {
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return commandLine;
  const invalid = entries.map(([name]) => name).filter((name) => !ENV_NAME.test(name));
  if (invalid.length > 0) {
    throw new ConfigError(
      'INVALID_ENV',
      `Invalid environment variable name${invalid.length > 1 ? 's' : ''} ${invalid.map((name) => JSON.stringify(name)).join(', ')}: expected letters, digits and _ (not first a digit).`,
    );
  }
  const exports = entries.map(([name, value]) => `export ${name}=${quotePosix(value)};`).join(' ');
  return `${exports} ${commandLine}`;
}

/** The command as shown in messages: its first line, at most 200 characters. */
export function shortCommand(command: string): string {
  const firstLine = command.split('\n')[0]!;
  const cut =
    firstLine.length > SHOWN_COMMAND_CHARS ? firstLine.slice(0, SHOWN_COMMAND_CHARS) : firstLine;
  return cut === command ? cut : `${cut}…`;
}

function describeAbortReason(reason: unknown): string {
  if (reason instanceof Error && reason.name !== 'AbortError')
    return `: ${reason.message.replace(/\.$/, '')}`;
  return '';
}
