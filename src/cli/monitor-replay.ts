import { createConsoleLogger, type LogLevel } from '../common/logger.js';
import { openReplay } from '../monitor/monitor.js';
import { runUntilInterrupted } from './interrupt.js';
import { MonitorEnd } from './monitor-end.js';
import { convertRecording } from './monitor-export.js';
import { replayCommandOf, type ReplayMonitorPlan } from './monitor-flags.js';
import { reportFailure } from './report-failure.js';

/**
 * `otto monitor --file PATH`: a recording (`.db`, opened read-only, or a `.json` archive) shown
 * by the dashboard, as it was live: the same series, charts, hover text and events. No lab, no
 * collection, no reservation gate. With `--export`, it is converted (`.db` to `.json` and back)
 * and nothing is served. Ctrl-C (or `--duration`) ends it, exit 0.
 */
export async function replayMonitor(plan: ReplayMonitorPlan, logLevel: LogLevel): Promise<number> {
  const logger = createConsoleLogger(logLevel);
  return runUntilInterrupted(async (interrupted) => {
    try {
      if (plan.exportPath) {
        await convertRecording(plan.file, plan.exportPath);
        logger.info(
          `exported: ${plan.exportPath} (open it with: ${replayCommandOf(plan.exportPath)})`,
        );
        return 0;
      }
      await serveReplay(plan, interrupted, (message) => logger.info(message));
      return 0;
    } catch (error) {
      return reportFailure(error);
    }
  });
}

async function serveReplay(
  plan: ReplayMonitorPlan,
  interrupted: AbortSignal,
  say: (message: string) => void,
): Promise<void> {
  using end = new MonitorEnd(interrupted, plan.durationMs);
  const replay = await openReplay(plan.file, { serve: plan.serve });
  try {
    process.stdout.write(`dashboard: ${replay.url}\n`);
    const meta = replay.meta();
    const span =
      meta.fromMs !== undefined && meta.toMs !== undefined
        ? ` from ${new Date(meta.fromMs).toISOString()} to ${new Date(meta.toMs).toISOString()}`
        : ' (no samples)';
    say(
      `replay: ${plan.file}: ${meta.hosts.length} hosts, ${meta.series.length} series, ${replay.events().length} events${span}; Ctrl-C ends it`,
    );
    await end.wait();
  } finally {
    await replay.close();
  }
}
