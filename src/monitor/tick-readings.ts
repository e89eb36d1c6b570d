import type { MetricParser, MetricReading, Sample, SeriesMeta } from './metric-types.js';

/**
 * One host's readings of a tick, turned into what the store and the stream take: the series seen
 * for the first time (placement from the reading, else its parser, else defaults) and one sample.
 */

/** What {@link toHostSample} makes of one host's readings. */
export interface HostSample {
  /** Series read for the first time, in reading order. */
  newSeries: SeriesMeta[];
  /** The tick's sample; undefined when no reading had a value. */
  sample: Sample | undefined;
  /** Readings refused, by parser: a value that is not a finite number, an empty key. */
  invalid: Array<{ parser: string; message: string }>;
}

/** The tab of a custom parser's series when neither it nor its readings name one. */
export const DEFAULT_TAB = 'custom';

/**
 * Makes one host's sample of a tick from its readings by parser name; `known` holds the keys
 * already announced for the host and gets the new ones.
 * @example const { newSeries, sample } = toHostSample('web1', ts, parsers, readings, known);
 */
export function toHostSample(
  host: string,
  timestampMs: number,
  parsers: readonly MetricParser[],
  readings: ReadonlyMap<string, readonly MetricReading[]>,
  known: Set<string>,
): HostSample {
  const result: HostSample = { newSeries: [], sample: undefined, invalid: [] };
  const values: Record<string, number> = {};
  const details: Sample['details'] = {};
  for (const parser of parsers) {
    for (const reading of readings.get(parser.name) ?? []) {
      const problem = readingProblem(reading);
      if (problem) {
        result.invalid.push({ parser: parser.name, message: problem });
        continue;
      }
      // Two parsers reading one key: the first one's value stands.
      if (reading.key in values) continue;
      values[reading.key] = reading.value;
      if (reading.detail) details[reading.key] = reading.detail;
      if (known.has(reading.key)) continue;
      known.add(reading.key);
      result.newSeries.push(seriesOf(host, parser, reading));
    }
  }
  if (Object.keys(values).length === 0) return result;
  result.sample = { host, timestampMs, values };
  if (Object.keys(details).length > 0) result.sample.details = details;
  return result;
}

/** A reading's series, its placement from the reading, else its parser, else defaults. */
export function seriesOf(host: string, parser: MetricParser, reading: MetricReading): SeriesMeta {
  return {
    host,
    key: reading.key,
    label: reading.label ?? reading.key,
    labels: reading.labels ?? {},
    tab: reading.tab ?? parser.tab ?? DEFAULT_TAB,
    chart: reading.chart ?? parser.chart ?? parser.name,
    unit: reading.unit ?? parser.unit ?? '',
  };
}

function readingProblem(reading: MetricReading): string | undefined {
  if (typeof reading.key !== 'string' || reading.key === '')
    return `a reading has no key (value ${String(reading.value)})`;
  if (typeof reading.value !== 'number' || !Number.isFinite(reading.value))
    return `the value of "${reading.key}" is not a finite number: ${String(reading.value)}`;
  return undefined;
}
