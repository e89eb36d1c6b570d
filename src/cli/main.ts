#!/usr/bin/env node
/**
 * The `otto` command: parses arguments and dispatches to one command module, loaded only when it
 * runs, so that `otto --help` stays fast. Global options come before the command, as in otto.
 * User mistakes print one clear message, never a stack.
 */
import { CommanderError } from 'commander';
import { prepareConsole } from './console-streams.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  try {
    await buildProgram((code) => (exitCode = code)).parseAsync(argv);
  } catch (error) {
    // Commander has already printed its own message for usage mistakes, help and version.
    if (error instanceof CommanderError && error.exitCode === 0) return 0;
    // Loaded only on failure, so that `otto --help` does not pay for the failure printer.
    const { EXIT_USAGE, reportFailure } = await import('./report-failure.js');
    if (error instanceof CommanderError) return EXIT_USAGE;
    exitCode = reportFailure(error);
  }
  return exitCode;
}

prepareConsole();
process.exitCode = await main(process.argv);
