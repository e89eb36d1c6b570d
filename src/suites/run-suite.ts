import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { SerializedError } from 'vitest';
import type { Reporter } from 'vitest/node';
import type { InvocationLogger } from '../common/invocation-logger.js';
import type { LogLevel } from '../common/logger.js';
import { SecretMasker } from '../common/secret-masker.js';
import type { Lab } from '../lab/lab.js';
import { labSecrets } from '../lab/lab-secrets.js';
import type { Repo } from '../lab/settings.js';
import { consoleReporter, formatRunSummary } from './console-reporter.js';
import { monitorReporter, type MonitorEventSink } from './monitor-reporter.js';
import { escapeXml, formatJUnit } from './junit-report.js';
import { makeDirs } from '../common/make-dirs.js';
import type { FoundSuite } from './find-suites.js';
import {
  labToData,
  RUN_CONFIG_KEY,
  type StabilityLimits,
  type SuiteRunConfig,
} from './run-config.js';
import { formatStabilityReport } from './stability.js';
import {
  countResults,
  resultsPass,
  suiteResultsOf,
  type ResultCounts,
  type SuiteResults,
} from './suite-results.js';

/**
 * Runs one suite on Vitest through its Node API (`otto test <Suite>`): only the suite's file, in a
 * worker that gets the run configuration through `provide`; the console reporter, Vitest's JUnit
 * reporter, then `summary.json` and (for a stability run) `stability_report.txt`. With the run's
 * monitor (`otto test --monitor`), each test also draws a span event on its charts.
 */

/** Options of {@link runSuite}. */
export interface RunSuiteOptions {
  found: FoundSuite;
  values: Record<string, unknown>;
  lab: Lab;
  repos: readonly Repo[];
  outputDir: string;
  logPath: string;
  logger: InvocationLogger;
  masker: SecretMasker;
  consoleLevel: LogLevel;
  color: boolean;
  dryRun: boolean;
  /** JUnit XML path. @default `<outputDir>/junit.xml` */
  junitPath?: string;
  /** A marker expression, checked already. */
  markers?: string;
  stability?: StabilityLimits;
  /** The hash of the declaration `otto test` read from its cache, for the worker to check. */
  declarationHash?: string;
  /** Where Vite keeps its cache. */
  cacheDir: string;
  /** The run's monitor (`otto test --monitor`): a span event per test is added to it. */
  monitor?: MonitorEventSink;
  /** The database the run's monitor records into, for `summary.json`. */
  monitorDb?: string;
  signal: AbortSignal;
  out?: { write(text: string): unknown };
  err?: { write(text: string): unknown };
}

/** What a run gave. */
export interface SuiteRun {
  results: SuiteResults;
  counts: ResultCounts;
  /** 0 when every selected test passed (and was stable), 130 after Ctrl-C, else 1. */
  exitCode: number;
  durationMs: number;
  junitPath: string;
  summaryPath: string;
  stabilityPath?: string;
}

/** This copy of otto-ts: what suite files' `import 'otto-ts'` means in the worker. */
const OTTO_ENTRY = fileURLToPath(new URL('../index.js', import.meta.url));
/** Loaded by Node as it is in the worker, not through Vite's transforms: far faster. */
const OTTO_DIST = new RegExp(`^${escapeRegExp(dirname(OTTO_ENTRY))}/`);

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Runs the suite (see the file comment). */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteRun> {
  const { found } = options;
  const started = performance.now();
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const junitPath = options.junitPath ?? join(options.outputDir, 'junit.xml');
  const config: SuiteRunConfig = {
    suite: found.suite.name,
    values: options.values,
    suiteDir: options.outputDir,
    logPath: options.logPath,
    consoleLevel: options.consoleLevel,
    color: options.color,
    dryRun: options.dryRun,
    secrets: labSecrets(options.lab),
    lab: labToData(options.lab),
    repos: [...options.repos],
    ...(options.stability && { stability: options.stability }),
    ...(options.declarationHash !== undefined && { declarationHash: options.declarationHash }),
  };
  const reporter = consoleReporter({
    suiteName: found.suite.name,
    out,
    err,
    masker: options.masker,
    color: options.color,
  });
  const startedAt = new Date();
  const reporters: Reporter[] = [
    reporter,
    ...(options.monitor ? [monitorReporter(options.monitor, found.suite.name)] : []),
  ];
  const { testModules, unhandledErrors } = await runVitest(options, config, reporters);
  const junit = formatJUnit(
    {
      suiteName: found.suite.name,
      durationMs: performance.now() - started,
      startedAt,
      logsOf: (id) => reporter.logsOf(id),
    },
    testModules,
    unhandledErrors as SerializedError[],
  );
  await writeJunit(junitPath, junit, options.masker, config.secrets);
  const results = suiteResultsOf(
    testModules,
    unhandledErrors as SerializedError[],
    found.suite.name,
  );
  const counts = countResults(results);
  const durationMs = performance.now() - started;
  out.write(
    options.masker.mask(
      formatRunSummary(found.suite.name, results, counts, durationMs, options.color),
    ),
  );
  const stabilityPath = options.stability
    ? join(options.outputDir, 'stability_report.txt')
    : undefined;
  if (stabilityPath) {
    const report = formatStabilityReport(
      found.suite.name,
      options.stability!,
      stabilityRows(results),
      options.signal.aborted,
    );
    await writeFile(stabilityPath, report);
    out.write(`\n${report}`);
  }
  // After Ctrl-C the summary says what otto exits with (130, as the CLI's EXIT_INTERRUPTED).
  const exitCode = options.signal.aborted ? 130 : resultsPass(results) ? 0 : 1;
  const summaryPath = join(options.outputDir, 'summary.json');
  const summary = summaryOf(options, results, counts, {
    exitCode,
    durationMs,
    junitPath,
    stabilityPath,
  });
  // Masked before JSON escapes them: a secret with a quote or a backslash is escaped in the file.
  const masked = (_key: string, value: unknown) =>
    typeof value === 'string' ? options.masker.mask(value) : value;
  await writeFile(summaryPath, `${JSON.stringify(summary, masked, 2)}\n`);
  return {
    results,
    counts,
    exitCode,
    durationMs,
    junitPath,
    summaryPath,
    ...(stabilityPath && { stabilityPath }),
  };
}

async function runVitest(options: RunSuiteOptions, config: SuiteRunConfig, reporters: Reporter[]) {
  const { createVitest } = await import('vitest/node');
  const { found } = options;
  const before = SIGNALS.map((signal) => process.listeners(signal));
  const vitest = await createVitest(
    'test',
    {
      config: false,
      root: found.repo.root,
      include: [relative(found.repo.root, found.file)],
      watch: false,
      provide: { [RUN_CONFIG_KEY]: config } as never,
      tags: found.suite.tags.map((name) => ({ name })),
      ...(options.markers !== undefined && { tagsFilter: [options.markers] }),
      reporters,
      pool: 'forks',
      // Each test's timeout is the suite's own (see run-test.ts), which names the test and phase.
      testTimeout: 0,
      hookTimeout: 0,
      passWithNoTests: true,
      attachmentsDir: join(options.outputDir, 'attachments'),
      alias: [
        { find: /^otto-ts$/, replacement: OTTO_ENTRY },
        { find: /^otto-ts\/(vitest|playwright)$/, replacement: join(dirname(OTTO_ENTRY), '$1.js') },
      ],
      server: { deps: { external: [OTTO_DIST] } },
    },
    { cacheDir: options.cacheDir },
    {
      stdout: vitestStream(options.out ?? process.stdout, options.masker),
      stderr: vitestStream(options.err ?? process.stderr, options.masker),
    },
  );
  // Vitest's logger exits the process on SIGINT and SIGTERM; here Ctrl-C is otto's (see
  // Invocation): it cancels the run, the tests stop and clean up, and the reports are written.
  SIGNALS.forEach((signal, index) => {
    for (const listener of process.listeners(signal))
      if (!before[index]!.includes(listener)) process.off(signal, listener);
  });
  const cancel = () => void vitest.cancelCurrentRun('keyboard-input');
  options.signal.addEventListener('abort', cancel, { once: true });
  try {
    return await vitest.start();
  } finally {
    options.signal.removeEventListener('abort', cancel);
    await vitest.close();
  }
}

/**
 * Where Vitest's own messages go: through the masker, without the line the JUnit reporter
 * prints (otto test names its reports at the end).
 */
function vitestStream(target: { write(text: string): unknown }, masker: SecretMasker): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      if (!/^JUNIT report written to /.test(text)) target.write(masker.mask(text));
      done();
    },
  });
}

/**
 * Vitest's JUnit reporter writes what the tests said and threw as it is: mask it afterwards, with
 * the secrets as they are and as XML escapes them (`&` is `&amp;` there).
 */
async function writeJunit(
  path: string,
  xml: string,
  masker: SecretMasker,
  secrets: string[],
): Promise<void> {
  // The secrets as they stand in XML too (a password with & or < is escaped in the report).
  const escaped = new SecretMasker(secrets.map(escapeXml));
  await makeDirs(dirname(path));
  await writeFile(path, escaped.mask(masker.mask(xml)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stabilityRows(results: SuiteResults) {
  return results.tests
    .filter((test) => test.state !== 'skipped')
    .map((test) => ({
      id: test.id,
      passed: test.stability?.passed ?? 0,
      // A test that failed before its body (in its setup) ran once, and failed.
      total: test.stability?.total ?? 1,
    }));
}

function summaryOf(
  options: RunSuiteOptions,
  results: SuiteResults,
  counts: ResultCounts,
  run: {
    exitCode: number;
    durationMs: number;
    junitPath: string;
    stabilityPath: string | undefined;
  },
) {
  return {
    suite: options.found.suite.name,
    repo: options.found.repo.settings.name,
    file: options.found.file,
    options: options.values,
    markers: options.markers ?? null,
    stability: options.stability ?? null,
    exitCode: run.exitCode,
    durationMs: Math.round(run.durationMs),
    counts,
    tests: results.tests,
    errors: results.errors,
    reports: {
      junit: run.junitPath,
      log: options.logPath,
      ...(run.stabilityPath && { stability: run.stabilityPath }),
      ...(options.monitorDb !== undefined && { monitor: options.monitorDb }),
    },
  };
}
