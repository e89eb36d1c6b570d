import type { SuiteAPI, TestAPI, TestContext } from 'vitest';
import type { Logger } from '../common/logger.js';
import {
  defineOptions,
  withDefaults,
  type OptionSpecs,
  type OptionValues,
} from '../common/option-set.js';
import { hashParts } from '../common/hash.js';
import { ConfigError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import type { Lab } from '../lab/lab.js';
import { RUN_CONFIG_KEY, type SuiteRunConfig } from './run-config.js';
import { DEFAULT_TEST_TIMEOUT_MS, runSuiteTest, type TestBody } from './run-test.js';
import { describeExpectFailure } from './soft-expect.js';
import { SuiteRuntime } from './suite-runtime.js';
import type { SuiteMonitorOptions } from './suite-monitor.js';
import type { Monitor } from '../monitor/monitor.js';
import type { MonitorEvent, NewMonitorEvent } from '../monitor/metric-types.js';
import { workerVitest, type WorkerVitest } from '../common/worker-vitest.js';

/**
 * Suites: named groups of tests that `otto test <Suite>` runs on Vitest, with typed options that
 * become flags. A suite file in a repo's `tests` folders calls {@link defineSuite}; the same file
 * runs under plain `npx vitest` with the options' defaults.
 */

/** Marks suite objects, across copies of otto-ts. */
const SUITE = Symbol.for('otto-ts.suite');
/** Where suites declared in this process are listed (for `otto test` to find them). */
const REGISTRY = Symbol.for('otto-ts.suite-registry');

/** What each test receives, besides Vitest's own context (`task`, `signal`, `annotate`...). */
export interface SuiteTestContext<S extends OptionSpecs = OptionSpecs> {
  /** The suite's option values: the command line's, defaults filled. */
  options: OptionValues<S>;
  /** The lab of this run (empty without `--lab` / `OTTO_LAB`). */
  lab: Lab;
  /** The lab host with that id: made on first use, closed when the suite ends; its calls stop at the test's timeout. */
  host: (id: string) => Host;
  /** The lab hosts whose ids match `pattern` (a regular expression), all without one. */
  hosts: (pattern?: RegExp | string) => Host[];
  /** Writes to the console, to `otto.log` and to this test's command log. */
  logger: Logger;
  /** The run's output directory. */
  suiteDir: string;
  /** This test's own folder, `<suiteDir>/tests/<test name>` (made when first read; one per parametrized case). */
  testDir: string;
  /** The iteration of a stability run (`--iterations`, `--duration`), else 1. */
  iteration: number;
  /** Aborts at the test's timeout, on Ctrl-C and when Vitest cancels the run: pass it to your own waits. */
  signal: AbortSignal;
}

/** The declaration of a suite. */
export interface SuiteSpec<S extends OptionSpecs, F extends object = object> {
  /** The name `otto test` takes: letters, digits, `-` and `_`, starting with a letter. */
  name: string;
  /** One line for `--list-suites` and `--help`. */
  help?: string;
  /** Its options; spread shared sets in (the same sets instructions use). */
  options?: S;
  /** The tags its tests may carry (`test(name, { tags: ['slow'] }, fn)`), selected with `-m`. */
  tags?: readonly string[];
  /** Time each test body may take, in ms (a test's `{ timeout }` wins). @default 600000 */
  timeout?: number;
  /** Time each hook (`t.beforeAll`, `t.afterAll`, `t.beforeEach`, `t.afterEach`) may take, in ms. @default 600000 */
  hookTimeout?: number;
  /**
   * Fixtures the tests receive besides otto's, as Vitest's `test.extend` takes them: Docker
   * fixtures from `vitestFixtures(set)` of `otto-ts/vitest`, say. (Vitest takes fixtures that
   * outlive a test only outside a `describe`: here, not from `t.test.extend`.)
   */
  fixtures?: F;
}

/** The values a suite's `fixtures` give its tests (typed by `vitestFixtures`). */
export type SuiteFixtureValues<F> = F extends { readonly __values?: infer V } ? V : object;

/** A declared suite (see {@link defineSuite}). */
export interface Suite<S extends OptionSpecs = OptionSpecs> {
  readonly [SUITE]: true;
  /** The name `otto test` takes. */
  readonly name: string;
  /** One line for `--list-suites` and `--help` (empty when none was given). */
  readonly help: string;
  /** Its option declarations (empty when none were given). */
  readonly options: S;
  /** The tags its tests may carry. */
  readonly tags: readonly string[];
}

/** A hook's function: Vitest's arguments (the test context for `beforeEach` / `afterEach`). */
import { runHook, type HookFn } from './suite-hooks.js';

/** What the body of a suite declares its tests with. */
export interface SuiteApi<S extends OptionSpecs, F extends object = object> {
  /** Vitest's `test` (with `.for`, `.skip`, `.only`, `.extend`...), whose context also has {@link SuiteTestContext} and the suite's fixtures. `.each` is refused: use `.for`. */
  test: TestAPI<SuiteTestContext<S> & SuiteFixtureValues<F>>;
  /** Vitest's `describe`, for groups within the suite. */
  describe: SuiteAPI;
  /** Runs once before the suite's tests (setup), within the suite's hook timeout. */
  beforeAll(fn: HookFn, timeoutMs?: number): void;
  /** Runs once after the suite's tests (cleanup), within the suite's hook timeout. */
  afterAll(fn: HookFn, timeoutMs?: number): void;
  /** Runs before each test (setup), with its context. */
  beforeEach(fn: (context: TestContext & SuiteTestContext<S>) => unknown, timeoutMs?: number): void;
  /** Runs after each test (cleanup), with its context. */
  afterEach(fn: (context: TestContext & SuiteTestContext<S>) => unknown, timeoutMs?: number): void;
  /**
   * A non-fatal check: when `condition` is falsy it records file:line, the source line and
   * `message`, logs `EXPECT FAILED`, and the test goes on; at its end the test fails with every
   * failure. Returns `condition` as a boolean.
   */
  expect(condition: unknown, message?: string): boolean;
  /** The option values (also at collection time, e.g. to parametrize). */
  options: OptionValues<S>;
  /** The lab of the run. */
  lab: Lab;
  /** A lab host for hooks; in tests prefer the context's `host`, which stops at the test's timeout. */
  host(id: string): Host;
  /** The lab hosts matching `pattern`, for hooks and parametrizing. */
  hosts(pattern?: RegExp | string): Host[];
  /** Writes to the console, to `otto.log` and to the running test's command log. */
  logger: Logger;
  /** The run's output directory. */
  suiteDir: string;
  /**
   * Starts the suite's own monitor: it polls `hosts` (default: the lab's hosts, container hosts
   * left out) into `<suiteDir>/monitor.db` (default), serves no dashboard unless `serve` is given,
   * and each test then draws a span on it. Stopped by {@link stopMonitor}, or after the suite's
   * last `afterAll`. Refused while another monitor runs in this worker.
   * @example t.beforeAll(() => t.startMonitor({ intervalMs: 1000 }));
   */
  startMonitor(options?: SuiteMonitorOptions): Promise<Monitor>;
  /** Stops the suite's monitor (what is pending is stored); nothing when none runs. */
  stopMonitor(): Promise<void>;
  /**
   * Adds an event (a mark, or a span with `kind: 'span'`) to the suite's own monitor, else to the
   * run's (`otto test --monitor`), else does nothing and gives undefined.
   * @example await t.addMonitorEvent('load starts', { color: '#1f77b4' });
   */
  addMonitorEvent(
    label: string,
    options?: Omit<NewMonitorEvent, 'label'>,
  ): Promise<MonitorEvent | undefined>;
}

/**
 * Declares a suite. Under `otto test <name>` (or plain Vitest) its body declares the tests;
 * elsewhere the declaration is only read, for its name and options.
 * @example
 * export default defineSuite(
 *   { name: 'WebSuite', options: { port: { type: 'number', default: 8080 } }, tags: ['slow'] },
 *   (t) => {
 *     t.test('answers', async ({ host, options }) => {
 *       const result = await host('web').run(`curl -fs localhost:${options.port}`);
 *       t.expect(result.ok, 'the web service answers');
 *     });
 *   },
 * );
 */
export function defineSuite<
  const S extends OptionSpecs = Record<never, never>,
  F extends object = object,
>(spec: SuiteSpec<S, F>, body: (t: SuiteApi<S, F>) => void | Promise<void>): Suite<S> {
  checkSpec(spec);
  const suite: Suite<S> = {
    [SUITE]: true,
    name: spec.name,
    help: spec.help ?? '',
    options: defineOptions(spec.options ?? ({} as S)),
    tags: [...(spec.tags ?? [])],
  };
  declaredSuites().push(suite);
  const vitest = workerVitest();
  if (vitest) registerInWorker(vitest, suite, spec, body);
  return suite;
}

/** True for objects made by {@link defineSuite} (of any copy of otto-ts). */
export function isSuite(value: unknown): value is Suite {
  return typeof value === 'object' && value !== null && SUITE in value;
}

/** A suite from its cached declaration (see suite-cache.ts); it declares no tests. */
export function restoredSuite(data: Pick<Suite, 'name' | 'help' | 'options' | 'tags'>): Suite {
  return {
    [SUITE]: true,
    name: data.name,
    help: data.help,
    options: data.options,
    tags: [...data.tags],
  };
}

/** A hash of what `otto test` reads of a suite before running it: its options and tags. */
export function declarationHashOf(suite: Pick<Suite, 'options' | 'tags'>): string {
  return hashParts([JSON.stringify(suite.options), JSON.stringify(suite.tags)]);
}

/** The suites declared in this process so far, in order. */
export function declaredSuites(): Suite[] {
  const holder = globalThis as { [REGISTRY]?: Suite[] };
  return (holder[REGISTRY] ??= []);
}

function checkSpec(spec: SuiteSpec<OptionSpecs>): void {
  const problems: string[] = [];
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(spec.name))
    problems.push(`name "${spec.name}": use letters, digits, - and _, starting with a letter`);
  for (const tag of spec.tags ?? [])
    if (!/^[A-Za-z0-9_][\w.:/-]*$/.test(tag) || /^(and|or|not)$/i.test(tag))
      problems.push(`tag "${tag}": use letters, digits and _ . : / -, and not and, or, not`);
  for (const key of ['timeout', 'hookTimeout'] as const) {
    const value = spec[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      problems.push(`${key} ${value}: expected a number of milliseconds above 0`);
  }
  if (problems.length > 0)
    throw new ConfigError(
      'SUITE_INVALID',
      `Invalid suite declaration${spec.name ? ` "${spec.name}"` : ''}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
}

function registerInWorker<S extends OptionSpecs, F extends object>(
  vitest: WorkerVitest,
  suite: Suite<S>,
  spec: SuiteSpec<S, F>,
  body: (t: SuiteApi<S, F>) => void | Promise<void>,
): void {
  const config = vitest.inject(RUN_CONFIG_KEY as never) as SuiteRunConfig | undefined;
  // `otto test` runs one suite: the others of its file declare nothing.
  if (config && config.suite !== suite.name) return;
  if (config?.declarationHash !== undefined && config.declarationHash !== declarationHashOf(suite))
    throw new ConfigError(
      'SUITE_CHANGED',
      `The declaration of suite "${suite.name}" (its options or tags) changed after otto test read it from its cache.`,
      { fix: 'run otto test again: it reads the suite files anew.' },
    );
  const values = config ? config.values : withDefaults(suite.options, {});
  const runtime = new SuiteRuntime(suite.name, config, values);
  const testTimeout = spec.timeout ?? DEFAULT_TEST_TIMEOUT_MS;
  const hookTimeout = spec.hookTimeout ?? DEFAULT_TEST_TIMEOUT_MS;
  // Extended here, outside the suite's describe: Vitest refuses longer-lived fixtures inside one.
  const base = spec.fixtures ? vitest.test.extend(spec.fixtures as never) : vitest.test;
  vitest.describe(suite.name, async () => {
    await runtime.prepare();
    // Registered first: with Vitest's default hook order, the pool closes after the user's cleanup.
    vitest.afterAll(() => runtime.close(), 0);
    const hook =
      (kind: 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach') =>
      (fn: HookFn, timeoutMs = hookTimeout) => {
        // Where the hook is declared, for its timeout's place (formatted only then).
        const declaredAt: { stack?: string } = {};
        Error.captureStackTrace(declaredAt);
        const wrapped = (...args: never[]) =>
          runHook(runtime, kind, fn, args, timeoutMs, declaredAt);
        // Vitest reads which fixtures a hook uses from its source text, and refuses `...args`.
        wrapped.toString = () => fn.toString();
        vitest[kind](wrapped as never, 0);
      };
    await body({
      test: wrapTestApi(base, runtime, testTimeout) as TestAPI<
        SuiteTestContext<S> & SuiteFixtureValues<F>
      >,
      describe: vitest.describe,
      beforeAll: hook('beforeAll'),
      afterAll: hook('afterAll'),
      beforeEach: hook('beforeEach'),
      afterEach: hook('afterEach'),
      expect: function expect(condition: unknown, message?: string): boolean {
        if (condition) return true;
        const record = runtime.current;
        if (!record)
          throw new ConfigError(
            'SUITE_INVALID',
            't.expect is for tests: call it inside a test body.',
          );
        runtime.logger.error(describeExpectFailure(record.expects.record(message, expect)));
        return false;
      },
      options: values as OptionValues<S>,
      lab: runtime.lab,
      host: (id) => runtime.host(id),
      hosts: (pattern) => runtime.hosts(pattern),
      logger: runtime.logger,
      suiteDir: runtime.suiteDir,
      startMonitor: (options) => runtime.monitor.start(options),
      stopMonitor: () => runtime.monitor.stop(),
      addMonitorEvent: (label, options) => runtime.monitor.addEvent(label, options),
    });
  });
}

/**
 * The tags of a test that plain Vitest accepts: it refuses tags its config does not declare
 * (unless `strictTags: false`), and there the suite's own are not declared; `otto test` declares
 * them for its run.
 */
function tagsForPlainVitest(tags: string | string[]): string[] {
  const list = typeof tags === 'string' ? [tags] : tags;
  // Vitest's worker state holds the run's config; it has no public accessor in the worker.
  const { config } =
    (globalThis as { __vitest_worker__?: { config?: PlainVitestTags } }).__vitest_worker__ ?? {};
  if (!config || config.strictTags === false) return list;
  const declared = new Set((config.tags ?? []).map((tag) => tag.name));
  return list.filter((tag) => declared.has(tag));
}

/** What {@link tagsForPlainVitest} reads of Vitest's config. */
interface PlainVitestTags {
  tags?: Array<{ name: string }>;
  strictTags?: boolean;
}

/**
 * Vitest's `test`, whose every declaration runs its body through {@link runSuiteTest} with the
 * test's timeout (Vitest's own is turned off, so the message names the test and the phase).
 */
function wrapTestApi(api: object, runtime: SuiteRuntime, defaultTimeoutMs: number): unknown {
  const wrapArgs = (args: unknown[]): unknown[] => {
    const at = args.findIndex((arg) => typeof arg === 'function');
    if (at < 0) return args;
    const body = args[at] as TestBody;
    const rest = args.filter((_, index) => index !== 0 && index !== at)[0];
    const options = (typeof rest === 'number' ? { timeout: rest } : (rest ?? {})) as {
      timeout?: number;
      tags?: string | string[];
    };
    const { timeout = defaultTimeoutMs, ...vitestOptions } = options;
    if (!runtime.config && vitestOptions.tags !== undefined)
      vitestOptions.tags = tagsForPlainVitest(vitestOptions.tags);
    // Where the test is declared, for otto's own errors about it: captured now (cheap), read
    // only when one is thrown (formatting a stack is what costs).
    const declaredAt: { stack?: string } = {};
    Error.captureStackTrace(declaredAt);
    const wrapped = (...fnArgs: unknown[]) =>
      runSuiteTest(runtime, body, fnArgs, timeout, declaredAt);
    // Vitest reads which fixtures a test uses from its source text.
    wrapped.toString = () => body.toString();
    return [args[0], { ...vitestOptions, timeout: 0 }, wrapped];
  };
  const wrap = (target: object): unknown =>
    new Proxy(target, {
      apply(fn, thisArg, args: unknown[]) {
        const result: unknown = Reflect.apply(
          fn as (...a: unknown[]) => unknown,
          thisArg,
          wrapArgs(args),
        );
        return typeof result === 'function' ? wrap(result) : result;
      },
      get(object, key) {
        if (key === 'each')
          throw new ConfigError(
            'SUITE_INVALID',
            `${runtime.suiteName}: t.test.each gives its cases no test context; use t.test.for(cases)(name, (item, context) => ...).`,
          );
        const value: unknown = Reflect.get(object, key);
        return typeof value === 'function' ? wrap(value) : value;
      },
    });
  return wrap(api);
}
