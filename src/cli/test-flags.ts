import { defineOptions, flagNameOf, type OptionSpecs } from '../common/option-set.js';

/**
 * The flags of `otto test` itself, as an option set: given before the suite's name or among its
 * own options (`otto test -i 10 WebSuite` and `otto test WebSuite -i 10` are the same).
 */
export const TEST_FLAGS = defineOptions({
  markers: {
    type: 'string',
    short: 'm',
    help: 'run only the tests whose tags match this expression (and, or, not, parentheses, *)',
  },
  iterations: {
    type: 'number',
    short: 'i',
    integer: true,
    min: 1,
    help: 'stability run: repeat each test body this many times (setup once)',
  },
  duration: {
    type: 'number',
    short: 'd',
    min: 0.001,
    help: 'stability run: repeat each test body for this many seconds (setup once)',
  },
  threshold: {
    type: 'number',
    min: 0,
    max: 100,
    default: 100,
    help: 'least pass rate, in percent, of a stable test',
  },
  results: { type: 'string', help: 'JUnit XML path (default: <output dir>/junit.xml)' },
  reuseContainers: {
    type: 'boolean',
    help: 'keep Docker fixtures between runs and reuse them while their spec is unchanged (they need names)',
  },
  monitor: {
    type: 'boolean',
    help: 'collect metrics from the lab hosts (not container hosts) while the suite runs, with a span event per test (see otto monitor)',
  },
  monitorDb: {
    type: 'string',
    help: 'the database --monitor records into (default: <output dir>/monitor.db; implies --monitor)',
  },
  monitorInterval: {
    type: 'number',
    min: 0.5,
    default: 1,
    help: 'tick period of --monitor, in seconds',
  },
  monitorHosts: {
    type: 'string',
    help: 'the hosts --monitor polls: those whose ids match this regular expression, container hosts too (implies --monitor)',
  },
});

/** Values of {@link TEST_FLAGS}. */
export interface TestFlagValues {
  markers?: string;
  iterations?: number;
  duration?: number;
  threshold: number;
  results?: string;
  reuseContainers?: boolean;
  monitor?: boolean;
  monitorDb?: string;
  monitorInterval?: number;
  monitorHosts?: string;
}

/** The flags and short flags of a suite's options that are `otto test`'s own. */
export function clashesWithTestFlags(options: OptionSpecs): string[] {
  const flags = new Set(Object.keys(TEST_FLAGS).map(flagNameOf));
  const shorts = new Set(Object.values(TEST_FLAGS as OptionSpecs).map((spec) => spec.short));
  const clashes: string[] = [];
  for (const [name, spec] of Object.entries(options)) {
    if (flags.has(flagNameOf(name))) clashes.push(`--${flagNameOf(name)}`);
    if (spec.short && shorts.has(spec.short)) clashes.push(`-${spec.short}`);
  }
  return clashes;
}
