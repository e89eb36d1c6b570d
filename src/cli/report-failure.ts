import { ConfigError, OttoError } from '../errors.js';

/** Exit code for a user mistake (bad arguments, labs, settings). */
export const EXIT_USAGE = 2;
/** Exit code for a failure of the work itself. */
export const EXIT_FAILURE = 1;

/**
 * Prints a failure once, at the boundary: our errors as their message (what, where, why, fix),
 * anything else with its stack because it is a bug. Returns the exit code.
 */
export function reportFailure(error: unknown, stream: NodeJS.WriteStream = process.stderr): number {
  if (error instanceof OttoError) {
    stream.write(`otto: ${error.message}\n`);
    if (process.env.OTTO_DEBUG && error.cause instanceof Error) {
      stream.write(`cause: ${error.cause.stack ?? error.cause.message}\n`);
    }
    return error instanceof ConfigError ? EXIT_USAGE : EXIT_FAILURE;
  }
  stream.write(
    `otto: unexpected error (a bug in otto-ts; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT_FAILURE;
}
