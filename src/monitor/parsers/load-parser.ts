import type { MetricParser, MetricReading } from '../metric-types.js';
import { fieldsOf, numberOf } from './proc-text.js';
import { readLinesCommand } from './trusted-commands.js';

/**
 * Load averages from `/proc/loadavg`: `0.35 0.63 1.25 1/115 9095` holds the 1, 5 and 15 minute
 * averages, then running/total tasks and the last pid.
 */

const WINDOWS = ['1m', '5m', '15m'] as const;

/**
 * Reads the three load averages of /proc/loadavg; a field that is not a number is left out.
 * @example parseLoadavg('0.35 0.63 1.25 1/115 9095\n').map((r) => r.value) // [0.35, 0.63, 1.25]
 */
export function parseLoadavg(output: string): MetricReading[] {
  const fields = fieldsOf(output.split('\n')[0] ?? '');
  const readings: MetricReading[] = [];
  WINDOWS.forEach((window, index) => {
    const value = numberOf(fields[index]);
    if (value !== undefined) readings.push({ key: `load.${window}`, label: window, value });
  });
  return readings;
}

/** The `load` parser: `load.1m`, `load.5m`, `load.15m` (chart `Load`, tab `cpu`, no unit). */
export const loadParser: MetricParser = {
  name: 'load',
  command: readLinesCommand('/proc/loadavg', { firstLineOnly: true }),
  tab: 'cpu',
  chart: 'Load',
  unit: '',
  parse: (output) => parseLoadavg(output),
};
