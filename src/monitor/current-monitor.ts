import { getDefaultLogger } from '../common/logger.js';
import { MonitorError } from '../errors.js';
import type { MonitorEvent, NewMonitorEvent } from './metric-types.js';
import { Monitor } from './monitor.js';
import type { MonitorOptions } from './monitor-options.js';

/**
 * The process's monitor: what suites and user code mark events on without holding the Monitor.
 * `otto test --monitor` runs the monitor in its main process and hands its URL (with its token) to
 * the test workers in OTTO_MONITOR_URL, so a worker's events go to it over HTTP.
 */

/** The environment variable naming the run's monitor, for processes that did not start it. */
export const MONITOR_URL_VARIABLE = 'OTTO_MONITOR_URL';

/** How long posting an event to the run's monitor may take. */
const POST_TIMEOUT_MS = 5000;

const CURRENT = Symbol.for('otto-ts.monitor.current');

interface CurrentState {
  monitor?: Monitor;
  /** The URL whose failure was logged, so a gone monitor is reported once, not per event. */
  failedUrl?: string;
}

function current(): CurrentState {
  // On globalThis: a suite may load a second copy of otto-ts; there is still one monitor.
  const global = globalThis as { [CURRENT]?: CurrentState };
  return (global[CURRENT] ??= {});
}

/**
 * Starts the process's monitor (refused while one runs: MONITOR_OPTIONS naming it).
 * @example
 * await startMonitor({ hosts: [t.host('web1')], intervalMs: 1000, db: 'run.db' });
 * await addMonitorEvent('load starts', { kind: 'span' });
 * await stopMonitor();
 */
export async function startMonitor(options: MonitorOptions): Promise<Monitor> {
  const state = current();
  if (state.monitor && !state.monitor.stopped)
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Cannot start a monitor: this process's monitor already runs (${describeMonitor(state.monitor)}).`,
      { fix: 'stop it first (stopMonitor()), or mark events on it (addMonitorEvent).' },
    );
  state.monitor = await Monitor.start(options);
  return state.monitor;
}

/** Stops the process's monitor; a no-op when none runs. */
export async function stopMonitor(): Promise<void> {
  const state = current();
  const monitor = state.monitor;
  state.monitor = undefined;
  await monitor?.stop();
}

/**
 * Adds an event to this process's monitor, or else to the run's monitor whose URL (with its
 * token) is in OTTO_MONITOR_URL (otto test --monitor sets it for the test workers; POST
 * /api/events); returns the event, or undefined when no monitor runs (not an error: suites may
 * mark events whether or not monitored).
 * @example await addMonitorEvent('failover', { host: 'db1', color: '#d62728' });
 */
export async function addMonitorEvent(
  label: string,
  options: Omit<NewMonitorEvent, 'label'> = {},
): Promise<MonitorEvent | undefined> {
  const monitor = current().monitor;
  if (monitor && !monitor.stopped) return monitor.addEvent({ ...options, label });
  const url = process.env[MONITOR_URL_VARIABLE];
  if (!url) return undefined;
  return await postEvent(url, { ...options, label });
}

/** Posts an event to the monitor at `dashboardUrl`; a monitor that is gone is logged once. */
async function postEvent(
  dashboardUrl: string,
  input: NewMonitorEvent,
): Promise<MonitorEvent | undefined> {
  const { endpoint, token } = eventsEndpoint(dashboardUrl);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(input),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch (error) {
    noteUnreachable(dashboardUrl, error);
    return undefined;
  }
  if (response.ok) return (await response.json()) as MonitorEvent;
  throw new MonitorError(
    'MONITOR_OPTIONS',
    `The monitor at ${endpoint.origin} refused the event "${input.label}": ${await refusalOf(response)}.`,
  );
}

/** `/api/events` of the dashboard's URL, and the token the URL carries (kept out of the endpoint). */
function eventsEndpoint(dashboardUrl: string): { endpoint: URL; token: string | undefined } {
  let base: URL;
  try {
    base = new URL(dashboardUrl);
  } catch {
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Cannot mark a monitor event: ${MONITOR_URL_VARIABLE} is no URL (${JSON.stringify(dashboardUrl)}).`,
      { fix: `set it to the dashboard's URL as otto monitor prints it, or unset it.` },
    );
  }
  const endpoint = new URL('/api/events', base);
  return { endpoint, token: base.searchParams.get('token') ?? undefined };
}

async function refusalOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return `${response.status} ${body.error}`;
  } catch {
    // Not the server's JSON error: show the status alone.
  }
  return `${response.status} ${response.statusText}`.trim();
}

function noteUnreachable(url: string, error: unknown): void {
  const state = current();
  if (state.failedUrl === url) return;
  state.failedUrl = url;
  const { endpoint } = eventsEndpoint(url);
  const why =
    error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error);
  getDefaultLogger().warn(
    `Monitor: no monitor answers at ${endpoint.origin} (${MONITOR_URL_VARIABLE}): ${why}; events are not marked.`,
  );
}

function describeMonitor(monitor: Monitor): string {
  const where = monitor.url ?? monitor.db ?? 'in memory';
  return `${where}, ${monitor.ticks} ticks so far`;
}
