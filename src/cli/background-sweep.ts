import type { EngineClient } from '../docker/engine/engine-client.js';
import { sweepDeadOwners } from '../docker/ownership/sweep.js';

/** How long a command waits at its end for its sweep, at most. */
const SWEEP_TIMEOUT_MS = 10_000;

/**
 * Sweeps what dead otto processes left on an engine while a command does its work: the sweep at
 * the next otto start. Nothing to sweep costs a few list requests, run beside the command's own;
 * `finish` waits for the sweep (bounded), and a failed sweep is no failure of the command
 * (`otto docker clean` reports them).
 * @example const sweep = startBackgroundSweep(engine); try { ... } finally { await sweep.finish(); }
 */
export function startBackgroundSweep(engine: EngineClient): { finish(): Promise<void> } {
  const sweeping = sweepDeadOwners(engine, { signal: AbortSignal.timeout(SWEEP_TIMEOUT_MS) }).then(
    () => undefined,
    () => undefined,
  );
  return { finish: () => sweeping };
}
