import type { MetricReading, ParseContext } from '../metric-types.js';

/**
 * Small readers shared by the built-in parsers: lines, whitespace-separated fields, numbers that
 * are really numbers, and percentages that stay finite. A malformed line reads as undefined here,
 * so that a parser skips it rather than draw NaN.
 */

const NUMBER = /^\d+(?:\.\d+)?$/;

/** The non-blank lines of a command's output. */
export function linesOf(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '');
}

/** A line's whitespace-separated fields. */
export function fieldsOf(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** A non-negative decimal number (`42`, `0.35`), or undefined for anything else. */
export function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || !NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Numbers of every field, or undefined when one of them is not a number. */
export function numbersOf(fields: readonly string[]): number[] | undefined {
  const values: number[] = [];
  for (const field of fields) {
    const value = numberOf(field);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}

/** `part` as a percentage of `whole`, kept within 0..100; undefined when `whole` is not positive. */
export function percentOf(part: number | undefined, whole: number | undefined): number | undefined {
  if (part === undefined || whole === undefined || !(whole > 0)) return undefined;
  const percent = (part / whole) * 100;
  if (!Number.isFinite(percent)) return undefined;
  return Math.min(100, Math.max(0, percent));
}

/**
 * A reading of a counter's rate per second (times `scale`: 512 bytes a sector), or undefined for
 * its first reading and after a reset.
 */
export function rateReading(
  context: ParseContext,
  counterKey: string,
  counter: number,
  series: Omit<MetricReading, 'value'>,
  scale = 1,
): MetricReading | undefined {
  const rate = context.rate(counterKey, counter);
  return rate === undefined ? undefined : { ...series, value: rate * scale };
}
