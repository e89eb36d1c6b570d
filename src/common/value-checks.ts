/**
 * Checks of option values shared by the validators of targets and options: each returns a
 * problem text (`expected a non-empty string, got 3 (number)`) or undefined when the value is fine,
 * so that a validator lists every problem at once.
 */

/** A problem text unless `value` is a non-empty string. */
export function nonEmptyString(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return undefined;
  return `expected a non-empty string, got ${show(value)}`;
}

/** A problem text unless `value` is undefined or an integer from `min` to `max`. */
export function integerIn(value: unknown, min: number, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
    return undefined;
  return `expected an integer from ${min} to ${max}, got ${show(value)}`;
}

/** A value as problem texts show it: `"x" (string)`. */
export function show(value: unknown): string {
  return `${JSON.stringify(value) ?? String(value)} (${typeof value})`;
}
