import { MonitorError } from '../errors.js';
import type { MetricParser } from './metric-types.js';
import { defaultParsers } from './parsers/default-parsers.js';

/**
 * Custom metric parsers by host, registered by repo `init` modules and read by the collector when
 * a monitor starts. The registry lives on `globalThis`: an `init` module may load its own copy of
 * otto-ts, and its registrations must still reach the copy that runs the monitor.
 */

/** One `registerHostParsers` call. */
interface Registration {
  host: string | RegExp;
  parsers: readonly MetricParser[];
}

const REGISTRY = Symbol.for('otto-ts.monitor.host-parsers');

function registry(): Registration[] {
  const global = globalThis as { [REGISTRY]?: Registration[] };
  return (global[REGISTRY] ??= []);
}

const PARSER_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Validates a custom parser: name of letters, digits, `-` and `_`, a command, a parse function
 * (MONITOR_PARSER_INVALID otherwise); returns it unchanged.
 * @example
 * const queue = defineMetricParser({
 *   name: 'queue',
 *   command: 'cat /var/run/app/queue-depth',
 *   tab: 'app', chart: 'Queue', unit: '',
 *   parse: (output) => [{ key: 'queue.depth', value: Number(output.trim()) }],
 * });
 */
export function defineMetricParser(parser: MetricParser): MetricParser {
  const problems = parserProblems(parser);
  if (problems.length > 0) {
    const name = typeof parser?.name === 'string' && parser.name ? ` "${parser.name}"` : '';
    throw new MonitorError(
      'MONITOR_PARSER_INVALID',
      `Invalid metric parser${name}: ${problems.join('; ')}.`,
      {
        fix: 'give it a name ([A-Za-z0-9_-]+), a shell command and a parse(output, context) function.',
      },
    );
  }
  return parser;
}

function parserProblems(parser: MetricParser): string[] {
  if (typeof parser !== 'object' || parser === null) return ['it is not an object'];
  const problems: string[] = [];
  if (typeof parser.name !== 'string' || !PARSER_NAME.test(parser.name))
    problems.push(`the name must be letters, digits, - and _, got ${JSON.stringify(parser.name)}`);
  if (typeof parser.command !== 'string' || parser.command.trim() === '')
    problems.push('the command is empty');
  if (typeof parser.parse !== 'function') problems.push('parse is not a function');
  return problems;
}

/**
 * Registers parsers for the hosts whose id equals `host` (or matches it, when a RegExp; `'*'` for
 * every host). Call it from a repo `init` module; a later registration of a parser's name wins.
 * @example registerHostParsers(/^db/, [connectionsParser]);
 */
export function registerHostParsers(host: string | RegExp, parsers: readonly MetricParser[]): void {
  for (const parser of parsers) defineMetricParser(parser);
  const names = parsers.map((parser) => parser.name);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0)
    throw new MonitorError(
      'MONITOR_PARSER_INVALID',
      `Cannot register metric parsers for ${describePattern(host)}: the name "${repeated[0]}" is given twice.`,
      { fix: 'give each parser of a set its own name.' },
    );
  registry().push({ host: copyPattern(host), parsers: [...parsers] });
}

/**
 * The parsers of a host: the defaults (with `processes`), then every registered set that matches,
 * by name (a registered parser of a default's name replaces it).
 */
export function parsersOfHost(
  hostId: string,
  options: { processes?: number } = {},
): MetricParser[] {
  const byName = new Map<string, MetricParser>();
  for (const parser of defaultParsers({ processes: options.processes ?? 0 }))
    byName.set(parser.name, parser);
  for (const registration of registry()) {
    if (!matchesHost(registration.host, hostId)) continue;
    for (const parser of registration.parsers) byName.set(parser.name, parser);
  }
  return [...byName.values()];
}

/** Forgets every registration (tests, and a CLI that loads repos again). */
export function clearHostParsers(): void {
  registry().length = 0;
}

function matchesHost(pattern: string | RegExp, hostId: string): boolean {
  if (typeof pattern === 'string') return pattern === '*' || pattern === hostId;
  return pattern.test(hostId);
}

/** A RegExp without `g` and `y`, whose `test` would otherwise depend on the previous call. */
function copyPattern(host: string | RegExp): string | RegExp {
  if (typeof host === 'string') return host;
  return new RegExp(host.source, host.flags.replace(/[gy]/g, ''));
}

function describePattern(host: string | RegExp): string {
  if (host === '*') return 'every host';
  return typeof host === 'string' ? `host "${host}"` : `hosts matching ${String(host)}`;
}
