/**
 * Entry of the watchdog process, started by `trackOwnedResources` (see `watchdog.ts`): it watches
 * one owner through the pipe on its stdin and removes the owner's resources once the owner is
 * gone. It ignores Ctrl-C and hang-ups (it runs in a session of its own anyway) and exits on its
 * own, at the latest `HARD_LIMIT_MS` after its owner is gone.
 */
import { createWatchdogLog } from './watchdog-log.js';
import { parseWatchdogArgs, runWatchdog } from './watchdog-process.js';

const HARD_LIMIT_MS = 25_000;

process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
const log = createWatchdogLog();
const owner = parseWatchdogArgs(process.argv.slice(2));
// Whatever happens in the cleanup, the watchdog never outlives its owner by much.
const onOwnerGone = (): void => {
  setTimeout(() => {
    log(`gave up: cleanup took longer than ${HARD_LIMIT_MS} ms`);
    process.exit(1);
  }, HARD_LIMIT_MS).unref();
};
runWatchdog({ owner, input: process.stdin, log, onOwnerGone }).then(
  (complete) => process.exit(complete ? 0 : 1),
  (error: unknown) => {
    log(`failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
