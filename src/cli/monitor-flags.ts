import { extname, resolve } from 'node:path';
import { parseDurationMs } from '../common/duration.js';
import { quotePosix } from '../common/quote.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_INTERVAL_MS, MIN_INTERVAL_MS } from '../monitor/monitor-options.js';

/**
 * The flags of `otto monitor`, checked once: live collection (`HOSTS`, `--hosts`, `--interval`,
 * `--db`, `--processes`) or the replay of a recording (`--file`), never both; every problem of
 * the command line is reported at once, as a usage error.
 */

/** The flags of `otto monitor` as commander gives them (text, unchecked). */
export interface MonitorFlags {
  hosts?: string;
  interval?: string;
  db?: string;
  file?: string;
  export?: string;
  bind?: string;
  port?: string;
  processes?: string;
  duration?: string;
}

/** Where the dashboard listens. */
export interface MonitorServe {
  bind: string;
  port: number;
}

/** `otto monitor [HOSTS]`: collect from hosts of the lab, serve the dashboard. */
export interface LiveMonitorPlan {
  mode: 'live';
  /** The host ids named (HOSTS), in order; undefined when none were named. */
  hostIds: string[] | undefined;
  /** `--hosts`: the host ids to poll match it. */
  hostPattern: RegExp | undefined;
  intervalMs: number;
  /** The database to record into (absolute); undefined keeps the samples in memory only. */
  db: string | undefined;
  /** The archive to write at the end (absolute, `.json` or `.db`). */
  exportPath: string | undefined;
  serve: MonitorServe;
  processes: number;
  /** Stop after this long; undefined runs until Ctrl-C. */
  durationMs: number | undefined;
}

/** `otto monitor --file PATH`: show a recording; with `--export`, convert it and exit. */
export interface ReplayMonitorPlan {
  mode: 'replay';
  /** The recording (absolute): a `.db` or a `.json` archive. */
  file: string;
  exportPath: string | undefined;
  serve: MonitorServe;
  durationMs: number | undefined;
}

/** What one `otto monitor` does, every default filled. */
export type MonitorPlan = LiveMonitorPlan | ReplayMonitorPlan;

/** The flags that collect, which a replay refuses. */
const LIVE_ONLY = ['hosts', 'interval', 'db', 'processes'] as const;

/**
 * Checks and resolves the command line of `otto monitor` (see the file comment).
 * @example normalizeMonitorFlags('web1,db1', { interval: '2.0' }) // live, 2000 ms
 */
export function normalizeMonitorFlags(
  hostList: string | undefined,
  flags: MonitorFlags,
): MonitorPlan {
  const problems: string[] = [];
  const note = (problem: string | undefined) => void (problem && problems.push(problem));
  const serve = { bind: flags.bind ?? '127.0.0.1', port: 0 };
  if (flags.port !== undefined) serve.port = wholeNumber(flags.port, '--port', 65_535, note);
  const durationMs = flags.duration === undefined ? undefined : durationOf(flags.duration, note);
  const exportPath = flags.export === undefined ? undefined : archivePath(flags.export, note);
  if (flags.file !== undefined) {
    const given = [
      ...(hostList !== undefined ? ['HOSTS'] : []),
      ...LIVE_ONLY.filter((key) => flags[key] !== undefined).map((key) => `--${key}`),
    ];
    if (given.length > 0)
      note(
        `--file replays a recording and collects nothing: it takes no HOSTS, --hosts, --interval, --db or --processes (given: ${given.join(', ')})`,
      );
    throwProblems(problems);
    return { mode: 'replay', file: resolve(flags.file), exportPath, serve, durationMs };
  }
  const plan: LiveMonitorPlan = {
    mode: 'live',
    hostIds: hostList === undefined ? undefined : hostIdsOf(hostList, note),
    hostPattern: flags.hosts === undefined ? undefined : patternOf(flags.hosts, '--hosts', note),
    intervalMs:
      flags.interval === undefined ? DEFAULT_INTERVAL_MS : intervalOf(flags.interval, note),
    db: flags.db === undefined ? undefined : resolve(flags.db),
    exportPath,
    serve,
    processes:
      flags.processes === undefined ? 0 : wholeNumber(flags.processes, '--processes', 1000, note),
    durationMs,
  };
  if (plan.db !== undefined && plan.db === exportPath)
    note('--export names the --db file: give it another path (.json, or another .db)');
  if (hostList !== undefined && flags.hosts !== undefined)
    note('give HOSTS or --hosts, not both (HOSTS names hosts, --hosts matches their ids)');
  throwProblems(problems);
  return plan;
}

/** `otto monitor --file <path>`, quoted for a shell: how to open a recording. */
export function replayCommandOf(path: string): string {
  return `otto monitor --file ${quotePosix(path)}`;
}

/**
 * A regular expression given on the command line; a bad one is a problem naming the flag.
 * @example patternOf('^web', '--hosts', note) // /^web/
 */
export function patternOf(
  text: string,
  flag: string,
  note: (problem: string) => void,
): RegExp | undefined {
  try {
    return new RegExp(text);
  } catch (error) {
    note(`${flag} "${text}" is not a regular expression (${(error as Error).message})`);
    return undefined;
  }
}

/**
 * Seconds as the command line gives them: `2`, `0.5`, or with a unit (`500ms`, `1m`).
 * @example secondsToMs('2.5') // 2500
 */
export function secondsToMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/^\d+(\.\d+)?(ms|s|m|h)$/.test(trimmed)) return undefined;
  return parseDurationMs(trimmed);
}

function intervalOf(text: string, note: (problem: string) => void): number {
  const ms = secondsToMs(text);
  if (ms === undefined) note(`--interval "${text}" is not a number of seconds (e.g. 2 or 0.5)`);
  else if (ms < MIN_INTERVAL_MS)
    note(`--interval ${text} is below the minimum of ${MIN_INTERVAL_MS / 1000} seconds`);
  return ms ?? DEFAULT_INTERVAL_MS;
}

function durationOf(text: string, note: (problem: string) => void): number | undefined {
  const ms = secondsToMs(text);
  if (ms === undefined || ms <= 0)
    note(`--duration "${text}" is not a number of seconds above 0 (e.g. 60 or 1.5)`);
  return ms;
}

function wholeNumber(
  text: string,
  flag: string,
  max: number,
  note: (problem: string) => void,
): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value > max) {
    note(`${flag} "${text}" is not a whole number from 0 to ${max}`);
    return 0;
  }
  return value;
}

function archivePath(text: string, note: (problem: string) => void): string {
  const extension = extname(text).toLowerCase();
  if (extension !== '.json' && extension !== '.db')
    note(`--export "${text}" must end in .json (the archive) or .db (SQLite)`);
  return resolve(text);
}

function hostIdsOf(list: string, note: (problem: string) => void): string[] {
  const ids = list.split(',').map((id) => id.trim());
  if (ids.some((id) => id === ''))
    note(`HOSTS "${list}" has an empty id: give host ids separated by commas (web1,db1)`);
  return [...new Set(ids.filter(Boolean))];
}

function throwProblems(problems: readonly string[]): void {
  if (problems.length === 0) return;
  throw new ConfigError('USAGE', `Invalid options of otto monitor: ${problems.join('; ')}.`, {
    fix: 'otto monitor --help describes its arguments and options.',
  });
}
