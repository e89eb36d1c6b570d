import type { MetricParser } from '../metric-types.js';
import { cpuParser } from './cpu-parser.js';
import { dfParser } from './df-parser.js';
import { diskioParser } from './diskio-parser.js';
import { loadParser } from './load-parser.js';
import { memoryParser } from './memory-parser.js';
import { networkParser } from './network-parser.js';
import { processesParser } from './processes-parser.js';

/** Options of {@link defaultParsers}. */
export interface DefaultParsersOptions {
  /** How many of the busiest processes to follow; 0 leaves the processes parser out. @default 0 */
  processes?: number;
}

/**
 * The built-in parsers every host gets: cpu, memory, load, diskio, network, df, and the busiest
 * processes when asked (off by default: listing every process costs the most of a tick).
 * @example const parsers = defaultParsers({ processes: 5 });
 */
export function defaultParsers(options: DefaultParsersOptions = {}): MetricParser[] {
  const parsers = [cpuParser, memoryParser, loadParser, diskioParser, networkParser, dfParser];
  const processes = options.processes ?? 0;
  if (processes === 0) return parsers;
  return [...parsers, processesParser(processes)];
}
