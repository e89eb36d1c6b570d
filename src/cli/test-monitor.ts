import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Monitor } from '../monitor/monitor.js';
import type { Invocation } from './invocation/invocation.js';
import { patternOf } from './monitor-flags.js';
import { monitorHostCandidates, quietMonitorHosts, selectMonitorHostIds } from './monitor-hosts.js';
import { TEST_FLAGS, type TestFlagValues } from './test-flags.js';

/**
 * `otto test --monitor`: a monitor in `otto test`'s own process polls the lab's hosts while the
 * suite runs (the same choice as `otto monitor`'s, or `--monitor-hosts`), records into
 * `--monitor-db` (default `<output dir>/monitor.db`) and serves its API on loopback, whose URL
 * the test workers get in `OTTO_MONITOR_URL`, so that `addMonitorEvent` in a test reaches it.
 */

/** What `--monitor` and its flags ask, checked before anything starts. */
export interface TestMonitorPlan {
  pattern: RegExp | undefined;
  intervalMs: number;
  /** As given; undefined: `<output dir>/monitor.db`. */
  db: string | undefined;
}

/** The run's monitor, started. */
export interface TestMonitor {
  monitor: Monitor;
  /** The database it records into. */
  db: string;
  /** Stops it (pending samples stored) and forgets its URL. */
  stop(): Promise<void>;
}

/**
 * The monitor `otto test`'s flags ask for, or undefined without `--monitor` (`--monitor-db` and
 * `--monitor-hosts` imply it); a bad `--monitor-hosts` is a usage error.
 */
export function testMonitorPlan(run: TestFlagValues): TestMonitorPlan | undefined {
  if (!run.monitor && run.monitorDb === undefined && run.monitorHosts === undefined)
    return undefined;
  const problems: string[] = [];
  const pattern =
    run.monitorHosts === undefined
      ? undefined
      : patternOf(run.monitorHosts, '--monitor-hosts', (problem) => problems.push(problem));
  if (problems.length > 0)
    throw new ConfigError('USAGE', `Invalid options of otto test: ${problems.join('; ')}.`, {
      fix: 'otto test <Suite> --help describes its options.',
    });
  // The option set's default reaches only the values parsed after the suite's name.
  const seconds = run.monitorInterval ?? TEST_FLAGS.monitorInterval.default;
  return { pattern, intervalMs: Math.round(seconds * 1000), db: run.monitorDb };
}

/** Starts the run's monitor (see the file comment). */
export async function startTestMonitor(
  invocation: Invocation,
  plan: TestMonitorPlan,
  suiteName: string,
): Promise<TestMonitor> {
  const [{ Monitor }, { MONITOR_URL_VARIABLE }] = await Promise.all([
    import('../monitor/monitor.js'),
    import('../monitor/current-monitor.js'),
  ]);
  const { pool, logger } = invocation;
  const ids = selectMonitorHostIds(
    { pattern: plan.pattern, patternFlag: '--monitor-hosts' },
    monitorHostCandidates(pool),
  );
  const db = resolve(plan.db ?? join(invocation.outputDir.path, 'monitor.db'));
  const monitor = await Monitor.start({
    hosts: quietMonitorHosts(pool, ids),
    intervalMs: plan.intervalMs,
    db,
    title: suiteName,
    serve: { bind: '127.0.0.1', port: 0 },
    logger,
  });
  if (monitor.url) process.env[MONITOR_URL_VARIABLE] = monitor.url;
  logger.info(
    `monitor: polling ${ids.join(', ')} every ${plan.intervalMs / 1000}s into ${db}; dashboard: ${monitor.url}`,
  );
  return {
    monitor,
    db,
    stop: async () => {
      delete process.env[MONITOR_URL_VARIABLE];
      await monitor.stop();
    },
  };
}
