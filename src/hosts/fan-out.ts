import { isOttoError, OttoError } from '../errors.js';
import type { RunResult } from './command-result.js';
import type { Commands, Host, RunOptions } from './host.js';

/** One host's share of a fan-out: its result, or the error that kept it from running. */
export type HostOutcome =
  | { host: Host; result: RunResult; error?: undefined }
  | { host: Host; result?: undefined; error: OttoError };

/** Options of {@link runOnHosts}. */
export interface FanOutOptions extends RunOptions {
  /** Hosts worked on at once. @default 8 */
  concurrency?: number;
}

/**
 * Runs the same commands on many hosts, at most `concurrency` at a time, and returns one outcome
 * per host in the order given: a result, or the error that host raised. One host's failure never
 * stops the others.
 * @example
 * const outcomes = await runOnHosts(lab.hosts, 'uptime', { concurrency: 4 });
 * for (const { host, result, error } of outcomes) console.log(host.id, result?.status ?? error.message);
 */
export async function runOnHosts(
  hosts: readonly Host[],
  cmds: Commands,
  options: FanOutOptions = {},
): Promise<HostOutcome[]> {
  const { concurrency = 8, ...runOptions } = options;
  const outcomes = new Array<HostOutcome>(hosts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < hosts.length; index = next++) {
      const host = hosts[index]!;
      try {
        outcomes[index] = { host, result: await host.run(cmds, runOptions) };
      } catch (error) {
        outcomes[index] = {
          host,
          error: isOttoError(error)
            ? error
            : new OttoError(
                'HOST_FAILED',
                `Host "${host.id}" failed: ${(error as Error).message}`,
                { cause: error },
              ),
        };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, hosts.length)) }, worker),
  );
  return outcomes;
}
