import { ConfigError } from '../errors.js';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../common/bounded-output.js';
import { getDefaultLogger, type Logger } from '../common/logger.js';

/** Options every host kind takes. */
export interface HostOptions {
  /** Id used in logs and messages. */
  id?: string;
  /** Log commands and output lines. @default true */
  log?: boolean;
  /** @default the default logger (see setDefaultLogger) */
  logger?: Logger;
  /** Deadline of `run` (a whole list) when the call gives none. @default 60000 */
  runTimeoutMs?: number;
  /** Deadline of `oneshot`. @default 60000 */
  oneshotTimeoutMs?: number;
  /** Deadline of `expect`. @default 10000 */
  expectTimeoutMs?: number;
  /** Deadline of opening a shell session. @default 15000 */
  openTimeoutMs?: number;
  /** How long an interrupted command may take to give the shell back. @default 5000 */
  recoverTimeoutMs?: number;
  /**
   * How long a command's processes may take to go after SIGKILL, when the interrupt did not give
   * the shell back, before the shell counts as dead (it is then ended and reopened). @default 2000
   */
  killTimeoutMs?: number;
  /**
   * How long closing waits for a shell or connection to end by itself before its processes are
   * killed. @default 1000
   */
  closeTimeoutMs?: number;
  /** Deadline of delivering an interrupt or kill through a side channel (SSH, containers). @default 10000 */
  signalTimeoutMs?: number;
  /** Most bytes of output kept per result and stream; the rest is dropped and counted. @default 16 MiB */
  maxOutputBytes?: number;
  /** Run sessions on a pseudo-terminal (needed by prompts such as sudo's). Default per host kind. */
  pty?: boolean;
}

/** Host options with every default filled. */
export type ResolvedHostOptions = Required<Omit<HostOptions, 'pty'>> & { pty: boolean };

/** What a host's transport takes of its options. */
export function transportOptionsOf(options: ResolvedHostOptions): {
  hostId: string;
  closeTimeoutMs: number;
  signalTimeoutMs: number;
} {
  return {
    hostId: options.id,
    closeTimeoutMs: options.closeTimeoutMs,
    signalTimeoutMs: options.signalTimeoutMs,
  };
}

const POSITIVE_KEYS = [
  'runTimeoutMs',
  'oneshotTimeoutMs',
  'expectTimeoutMs',
  'openTimeoutMs',
  'recoverTimeoutMs',
  'killTimeoutMs',
  'closeTimeoutMs',
  'signalTimeoutMs',
  'maxOutputBytes',
] as const;

/** The longest delay a Node timer takes; a longer one fires at once (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2_147_483_647;

/** Why an option is out of range, or undefined when it is fine (or not given). */
function checkPositive(key: (typeof POSITIVE_KEYS)[number], value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (key === 'maxOutputBytes')
    return Number.isSafeInteger(value) && (value as number) > 0
      ? undefined
      : `\`maxOutputBytes\` must be a positive whole number of bytes, got ${JSON.stringify(value)}`;
  return Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_TIMER_MS
    ? undefined
    : `\`${key}\` must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (24.8 days), got ${JSON.stringify(value)}`;
}

/** Resolves host options once; every problem is reported at once. */
export function normalizeHostOptions(
  options: HostOptions,
  defaults: { id: string; pty: boolean },
): ResolvedHostOptions {
  const problems = POSITIVE_KEYS.map((key) => checkPositive(key, options[key])).filter(
    (problem) => problem !== undefined,
  );
  if (problems.length > 0) {
    throw new ConfigError(
      'INVALID_HOST_OPTIONS',
      `Invalid options for host "${options.id ?? defaults.id}": ${problems.join('; ')}.`,
      {
        fix: 'durations in code are milliseconds; the CLI accepts "30s".',
      },
    );
  }
  return {
    id: options.id ?? defaults.id,
    log: options.log ?? true,
    logger: options.logger ?? getDefaultLogger(),
    runTimeoutMs: options.runTimeoutMs ?? 60_000,
    oneshotTimeoutMs: options.oneshotTimeoutMs ?? 60_000,
    expectTimeoutMs: options.expectTimeoutMs ?? 10_000,
    openTimeoutMs: options.openTimeoutMs ?? 15_000,
    recoverTimeoutMs: options.recoverTimeoutMs ?? 5_000,
    killTimeoutMs: options.killTimeoutMs ?? 2_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 1_000,
    signalTimeoutMs: options.signalTimeoutMs ?? 10_000,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    pty: options.pty ?? defaults.pty,
  };
}
