import { ensureEngine } from '../../docker/engine/ensure-engine.js';
import { createProgressPrinter } from '../progress-printer.js';

/** `otto engine ensure`: make sure a Docker engine answers, installing and starting one on Debian. */
export async function engineEnsureCommand(): Promise<number> {
  const progress = createProgressPrinter();
  const status = await ensureEngine({ onProgress: progress }).finally(() => progress.done());
  const how = status.wasRunning ? 'already running' : `started (log: ${status.logPath})`;
  const installed = status.installed.length ? `; installed ${status.installed.join(', ')}` : '';
  console.log(
    `Docker engine ${status.version} (API ${status.apiVersion}) at ${status.endpoint}: ${how}${installed}.`,
  );
  return 0;
}
