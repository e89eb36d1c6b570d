import { join } from 'node:path';
import { formatDurationMs } from '../../common/duration.js';
import { requireRepos } from '../../lab/repos.js';
import { Monitor } from '../../monitor/monitor.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { Invocation } from '../invocation/invocation.js';
import { MonitorEnd } from '../monitor-end.js';
import { convertRecording } from '../monitor-export.js';
import {
  normalizeMonitorFlags,
  replayCommandOf,
  type LiveMonitorPlan,
  type MonitorFlags,
} from '../monitor-flags.js';
import {
  monitorHostCandidates,
  quietMonitorHosts,
  selectMonitorHostIds,
} from '../monitor-hosts.js';
import { replayMonitor } from '../monitor-replay.js';

/**
 * `otto monitor [HOSTS]`: polls hosts of the lab (the named ones, those matching `--hosts`, or
 * every host of the lab's files) each `--interval`, serves the live dashboard and prints its URL
 * as `dashboard: <url>` on stdout; records into `--db` when given. It runs until Ctrl-C, SIGTERM
 * or `--duration`, each a normal end (exit 0): the pending samples are stored, the server closes
 * and a summary says where the recording is. Gated by reservations, as `otto run` is.
 * `otto monitor --file PATH` replays a recording instead (see monitor-replay.ts).
 */
export async function monitorCommand(
  globalFlags: GlobalFlags,
  hostList: string | undefined,
  flags: MonitorFlags,
): Promise<number> {
  const plan = normalizeMonitorFlags(hostList, flags);
  const options = resolveGlobalOptions(globalFlags);
  if (plan.mode === 'replay') return replayMonitor(plan, options.logLevel);
  const repos = await requireRepos();
  const invocation = await Invocation.start(options, {
    command: 'monitor',
    repos,
    needsLab: false,
    gated: true,
  });
  return invocation.complete((signal) => runLiveMonitor(invocation, plan, signal), {
    interruptEndsWork: true,
  });
}

async function runLiveMonitor(
  invocation: Invocation,
  plan: LiveMonitorPlan,
  interrupted: AbortSignal,
): Promise<number> {
  const { logger, pool } = invocation;
  const ids = selectMonitorHostIds(
    { ids: plan.hostIds, pattern: plan.hostPattern, patternFlag: '--hosts' },
    monitorHostCandidates(pool),
  );
  // An export is written from a recording: without --db, one in the output directory.
  const db =
    plan.db ?? (plan.exportPath ? join(invocation.outputDir.path, 'monitor.db') : undefined);
  // Listening for SIGTERM from before the start: it stops the monitor as Ctrl-C does.
  using end = new MonitorEnd(interrupted, plan.durationMs);
  const startedMs = performance.now();
  const monitor = await Monitor.start({
    hosts: quietMonitorHosts(pool, ids),
    intervalMs: plan.intervalMs,
    db,
    title: invocation.lab.names.join(', ') || 'otto monitor',
    processes: plan.processes,
    serve: plan.serve,
    logger,
  });
  let samples = 0;
  const unsubscribe = monitor.subscribe((message) => {
    if (message.type === 'sample') samples++;
  });
  try {
    announce(invocation, monitor, ids, plan, db);
    await end.wait();
    logger.info(`monitor: stopping (${end.reason}); storing what is pending`);
  } finally {
    await monitor.stop();
    unsubscribe();
  }
  const ranFor = formatDurationMs(performance.now() - startedMs);
  logger.info(
    `monitor: ${monitor.ticks} ticks, ${samples} samples from ${ids.length} host${ids.length > 1 ? 's' : ''} in ${ranFor}`,
  );
  if (db) logger.info(`recorded: ${db} (open it with: ${replayCommandOf(db)})`);
  if (db && plan.exportPath) {
    await convertRecording(db, plan.exportPath);
    logger.info(`exported: ${plan.exportPath} (open it with: ${replayCommandOf(plan.exportPath)})`);
  }
  return 0;
}

/** The dashboard's URL on stdout, for scripts; what is polled and recorded on the console. */
function announce(
  invocation: Invocation,
  monitor: Monitor,
  ids: readonly string[],
  plan: LiveMonitorPlan,
  db: string | undefined,
): void {
  const { logger } = invocation;
  // Only here: the URL may carry the access token, which otto.log does not keep.
  process.stdout.write(`dashboard: ${monitor.url}\n`);
  const until =
    plan.durationMs === undefined ? 'until Ctrl-C' : `for ${formatDurationMs(plan.durationMs)}`;
  logger.info(
    `monitor: polling ${ids.join(', ')} every ${formatDurationMs(plan.intervalMs)} ${until}`,
  );
  if (db) logger.info(`monitor: recording into ${db}`);
  else
    logger.warn(
      'monitor: nothing is recorded (the samples stay in memory until otto monitor ends); --db PATH records them',
    );
}
