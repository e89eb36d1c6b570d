import { ConfigError, OttoError } from '../errors.js';
import { processSecrets, type SecretMasker } from '../common/secret-masker.js';

/** Exit code for a user mistake (bad arguments, labs, settings). */
export const EXIT_USAGE = 2;
/** Exit code for a failure of the work itself. */
export const EXIT_FAILURE = 1;
/** Exit code after Ctrl-C, as shells give for SIGINT. */
export const EXIT_INTERRUPTED = 130;

/**
 * What the console shows for a failure: our errors as their message (what, where, why, fix),
 * anything else with its stack, because it is a bug.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof OttoError) {
    const cause =
      process.env.OTTO_DEBUG && error.cause instanceof Error
        ? `cause: ${error.cause.stack ?? error.cause.message}\n`
        : '';
    return `otto: ${error.message}\n${cause}`;
  }
  return `otto: unexpected error (a bug in otto-ts; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
}

/** The exit code a failure gives: 2 for user mistakes, 1 otherwise (Ctrl-C: see Invocation). */
export function exitCodeOfFailure(error: unknown): number {
  return error instanceof ConfigError ? EXIT_USAGE : EXIT_FAILURE;
}

/**
 * Prints a failure once, at the boundary, with the process's secrets masked (see
 * {@link describeFailure}). Returns the exit code.
 */
export function reportFailure(
  error: unknown,
  stream: { write(text: string): unknown } = process.stderr,
  masker: SecretMasker = processSecrets,
): number {
  stream.write(masker.mask(describeFailure(error)));
  return exitCodeOfFailure(error);
}
