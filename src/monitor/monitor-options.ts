import { getDefaultLogger, type Logger } from '../common/logger.js';
import { MonitorError } from '../errors.js';
import type { Host } from '../hosts/host.js';

/** The shortest tick period: each tick reads /proc on every host, and faster ones cost more than they tell. */
export const MIN_INTERVAL_MS = 500;

/** otto's tick period. */
export const DEFAULT_INTERVAL_MS = 5000;

/** Where the dashboard is served. */
export interface MonitorServeOptions {
  /** Address to listen on; beyond loopback an access token is required. @default '127.0.0.1' */
  bind?: string;
  /** Port to listen on; 0 lets the system choose a free one. @default 0 */
  port?: number;
}

/** Options of {@link Monitor.start}. */
export interface MonitorOptions {
  /** Hosts to poll (lab hosts, containers, local...). At least one: else MonitorError MONITOR_NO_HOSTS. */
  hosts: readonly Host[];
  /** Tick period. @default 5000 (otto's). Below MIN_INTERVAL_MS (500) is refused: MONITOR_OPTIONS. */
  intervalMs?: number;
  /** Database file to record into (the writer lock is taken); @default none: kept in memory. */
  db?: string;
  /** Title shown by the dashboard. @default 'otto monitor' */
  title?: string;
  /** Top processes to record per host. @default 0 (none) */
  processes?: number;
  /** Serve the dashboard: bind and port. @default undefined: no server */
  serve?: MonitorServeOptions;
  /** Receives collection problems (a host down, a parser failing: once per change, not each tick). */
  logger?: Logger;
  /** Stops the monitor when aborted. */
  signal?: AbortSignal;
}

/** Monitor options with every default filled. */
export interface ResolvedMonitorOptions {
  hosts: readonly Host[];
  intervalMs: number;
  db: string | undefined;
  title: string;
  processes: number;
  serve: MonitorServeOptions | undefined;
  logger: Logger;
  signal: AbortSignal | undefined;
}

/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Resolves monitor options once, every problem reported at once.
 * @example const options = normalizeMonitorOptions({ hosts: [new LocalHost()], intervalMs: 1000 });
 */
export function normalizeMonitorOptions(options: MonitorOptions): ResolvedMonitorOptions {
  if (options.hosts.length === 0)
    throw new MonitorError('MONITOR_NO_HOSTS', 'Cannot start the monitor: no host to poll.', {
      fix: 'name hosts of the lab (otto monitor web1,db1, or --hosts REGEX), or pass `hosts`.',
    });
  const problems = [
    checkInterval(options.intervalMs),
    checkProcesses(options.processes),
    checkHostIds(options.hosts),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0)
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Cannot start the monitor: ${problems.join('; ')}.`,
      optionsFix(options),
    );
  return {
    hosts: options.hosts,
    intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
    db: options.db,
    title: options.title ?? 'otto monitor',
    processes: options.processes ?? 0,
    // The server checks and fills its own options (bind, port, token) when it starts.
    serve: options.serve,
    logger: options.logger ?? getDefaultLogger(),
    signal: options.signal,
  };
}

function checkInterval(intervalMs: number | undefined): string | undefined {
  if (intervalMs === undefined) return undefined;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs > MAX_TIMER_MS)
    return `the interval must be a number of milliseconds, got ${shown(intervalMs)}`;
  if (intervalMs < MIN_INTERVAL_MS)
    return `an interval of ${intervalMs}ms is below the minimum of ${MIN_INTERVAL_MS}ms`;
  return undefined;
}

function checkProcesses(processes: number | undefined): string | undefined {
  if (processes === undefined || (Number.isInteger(processes) && processes >= 0)) return undefined;
  return `\`processes\` must be a whole number from 0, got ${shown(processes)}`;
}

/** A value as a message shows it: numbers as they print (NaN, not JSON's null), the rest as JSON. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Two hosts of one id would write into each other's series. */
function checkHostIds(hosts: readonly Host[]): string | undefined {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const host of hosts) (seen.has(host.id) ? repeated : seen).add(host.id);
  if (repeated.size === 0) return undefined;
  const names = [...repeated].map((id) => `"${id}"`).join(', ');
  return `the host id${repeated.size > 1 ? 's' : ''} ${names} ${repeated.size > 1 ? 'are' : 'is'} given twice`;
}

function optionsFix(options: MonitorOptions): { fix: string } | Record<string, never> {
  if (options.intervalMs !== undefined && options.intervalMs < MIN_INTERVAL_MS)
    return {
      fix: `poll every ${MIN_INTERVAL_MS}ms or slower (--interval 0.5 on the command line).`,
    };
  return {};
}
