import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The log grows to this size, then becomes `watchdog.log.1` (the previous `.1` is dropped). */
const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Where watchdogs log: `watchdog/watchdog.log` under the same state folder as otto's output
 * (`$OTTO_XDIR`, else `$XDG_STATE_HOME/otto-ts`, else `~/.local/state/otto-ts`). A watchdog never
 * writes to its owner's terminal.
 */
export function watchdogLogPath(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.OTTO_XDIR
    ? resolve(env.OTTO_XDIR)
    : join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'otto-ts');
  return join(root, 'watchdog', 'watchdog.log');
}

/** Writes lines to the watchdog log, tagged with the watchdog's pid; never throws. */
export type WatchdogLog = (message: string) => void;

/**
 * A logger that appends lines to `path` (one write per line, so that watchdogs running at once do
 * not interleave within a line); logging nowhere when the folder cannot be made.
 */
export function createWatchdogLog(path: string = watchdogLogPath()): WatchdogLog {
  let usable = true;
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    rotateWhenFull(path);
  } catch {
    usable = false;
  }
  return (message) => {
    if (!usable) return;
    try {
      appendFileSync(path, `${new Date().toISOString()} [${process.pid}] ${message}\n`);
    } catch {
      usable = false;
    }
  };
}

function rotateWhenFull(path: string): void {
  try {
    if (statSync(path).size > MAX_LOG_BYTES) renameSync(path, `${path}.1`);
  } catch {
    // no log yet
  }
}
