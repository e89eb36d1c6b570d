import type { MetricParser, MetricReading, ParseContext } from '../metric-types.js';
import { fieldsOf, linesOf, numbersOf, rateReading } from './proc-text.js';
import { readLinesCommand } from './trusted-commands.js';

/**
 * Network rates from `/proc/net/dev`: after two header lines, one line per interface,
 * `name: ` then 8 receive counters (bytes first) and 8 transmit counters (bytes first). A wide
 * counter can touch the colon (`docker0:36657767263`). Loopback is left out: it is no network.
 */

/** One interface's byte counters. */
export interface InterfaceCounters {
  iface: string;
  rxBytes: number;
  txBytes: number;
}

/**
 * Reads /proc/net/dev; the headers and malformed lines are skipped.
 * @example parseNetDev('  eth0: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n')[0]?.txBytes // 200
 */
export function parseNetDev(output: string): InterfaceCounters[] {
  const interfaces: InterfaceCounters[] = [];
  for (const line of linesOf(output)) {
    // Interface names cannot hold a colon, so the first one ends the name.
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const iface = line.slice(0, colon).trim();
    const counters = numbersOf(fieldsOf(line.slice(colon + 1)));
    if (iface === '' || iface.includes('|') || !counters || counters.length < 16) continue;
    interfaces.push({ iface, rxBytes: counters[0]!, txBytes: counters[8]! });
  }
  return interfaces;
}

/** `net.<iface>.rx` and `.tx` in bytes/s since the previous reading; loopback left out. */
export function readInterfaceCounters(
  interfaces: readonly InterfaceCounters[],
  context: ParseContext,
): MetricReading[] {
  const readings: MetricReading[] = [];
  for (const { iface, rxBytes, txBytes } of interfaces) {
    if (iface === 'lo') continue;
    const labels = { interface: iface };
    const counters = [
      ['rx', rxBytes],
      ['tx', txBytes],
    ] as const;
    for (const [direction, bytes] of counters) {
      const series = { key: `net.${iface}.${direction}`, label: `${iface} ${direction}`, labels };
      const reading = rateReading(context, `net:${iface}:${direction}`, bytes, series);
      if (reading) readings.push(reading);
    }
  }
  return readings;
}

/** The `network` parser: receive and transmit bytes/s per interface (chart `Network`). */
export const networkParser: MetricParser = {
  name: 'network',
  command: readLinesCommand('/proc/net/dev'),
  tab: 'network',
  chart: 'Network',
  unit: 'B/s',
  parse: (output, context) => readInterfaceCounters(parseNetDev(output), context),
};
