import { defaultXdir } from '../../common/output-dir.js';
import { resolve } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../../common/logger.js';
import { ConfigError } from '../../errors.js';

/** The global flags as commander gives them (before the command, as in otto). */
export interface GlobalFlags {
  lab?: string;
  xdir?: string;
  logLevel?: string;
  logDays?: string;
  dryRun?: boolean;
  asUser?: string;
  skipReservationCheck?: boolean;
  listLabs?: boolean;
  listHosts?: boolean;
  showLab?: boolean;
}

/** Global options resolved once, every default filled. */
export interface GlobalOptions {
  /** Labs to merge, in order; empty when none is given. */
  labNames: string[];
  /** Root of output directories and of the completion cache. */
  xdir: string;
  logLevel: LogLevel;
  /** Output directories older than this many days are removed. 0 keeps all. */
  logDays: number;
  dryRun: boolean;
  asUser?: string;
  skipReservationCheck: boolean;
}

/** Days output directories are kept. @default 30 */
export const DEFAULT_LOG_DAYS = 30;

export { defaultXdir };

/** Resolves the global flags with their environment variables; every problem at once. */
export function resolveGlobalOptions(
  flags: GlobalFlags,
  env: NodeJS.ProcessEnv = process.env,
): GlobalOptions {
  const problems: string[] = [];
  // Empty environment variables count as unset, as for OTTO_XDIR.
  const levelText = flags.logLevel ?? (env.OTTO_LOG_LEVEL || 'info');
  const level = levelText.toLowerCase();
  const levelFrom = flags.logLevel !== undefined ? '--log-level' : 'OTTO_LOG_LEVEL';
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    problems.push(`${levelFrom}: expected one of ${LOG_LEVELS.join(', ')}, got "${levelText}"`);
  const daysText = flags.logDays ?? (env.OTTO_LOG_DAYS || String(DEFAULT_LOG_DAYS));
  const daysFrom = flags.logDays !== undefined ? '--log-days' : 'OTTO_LOG_DAYS';
  const days = Number(daysText);
  if (!/^\s*\d+\s*$/.test(daysText))
    problems.push(`${daysFrom}: expected a whole number of days (0 keeps all), got "${daysText}"`);
  if (problems.length > 0)
    throw new ConfigError('OPTION_INVALID', `Invalid global options: ${problems.join('; ')}.`);
  return {
    labNames: (flags.lab ?? (env.OTTO_LAB || ''))
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    xdir: flags.xdir ? resolve(flags.xdir) : defaultXdir(env),
    logLevel: level as LogLevel,
    logDays: days,
    dryRun: flags.dryRun ?? false,
    asUser: flags.asUser,
    skipReservationCheck: flags.skipReservationCheck ?? false,
  };
}
