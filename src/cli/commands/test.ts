import { Command } from 'commander';
import { REUSE_ENV } from '../../fixtures/sharing.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { processSecrets } from '../../common/secret-masker.js';
import { ConfigError } from '../../errors.js';
import { closestIds } from '../../lab/closest.js';
import { requireRepos } from '../../lab/repos.js';
import type { Repo } from '../../lab/settings.js';
import { declarationHashOf } from '../../suites/define-suite.js';
import { findSuites, type FoundSuite } from '../../suites/find-suites.js';
import { dropSuiteCache } from '../../suites/suite-cache.js';
import { checkMarkerExpression } from '../../suites/markers.js';
import type { StabilityLimits } from '../../suites/run-config.js';
import { runSuite, type SuiteRun } from '../../suites/run-suite.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { Invocation } from '../invocation/invocation.js';
import { addOptionSet, optionSetValues } from '../option-flags.js';
import { clashesWithTestFlags, TEST_FLAGS, type TestFlagValues } from '../test-flags.js';
import { configureUsageErrors } from '../usage-errors.js';
import { replayCommandOf } from '../monitor-flags.js';
import { startTestMonitor, testMonitorPlan } from '../test-monitor.js';

const { version: VERSION } = createRequire(import.meta.url)('../../../package.json') as {
  version: string;
};

/**
 * `otto test <Suite> [options]`: finds the repos' suites, parses the suite's own flags (and
 * otto test's, on either side of the name), passes the reservation gate and runs the suite on
 * Vitest. Exit code 0 only when every selected test passed (and, in a stability run, was
 * stable); 1 otherwise; 2 for usage mistakes. `otto test --list-suites` lists them by repo.
 * With `--monitor`, a monitor records the lab's hosts meanwhile, a span per test (test-monitor.ts).
 */
export async function testCommand(
  globalFlags: GlobalFlags,
  name: string | undefined,
  args: readonly string[],
  flags: Partial<TestFlagValues> & { listSuites?: boolean },
): Promise<number> {
  const options = resolveGlobalOptions(globalFlags);
  const repos = await requireRepos();
  // Vitest first: once suite files are imported, the TypeScript loader's hooks see every import
  // that follows, and Vitest's own would take seconds instead of a fifth of one.
  if (!flags.listSuites) await import('vitest/node');
  const { suites, fromCache } = await findSuites(repos, { xdir: options.xdir, version: VERSION });
  if (flags.listSuites) {
    process.stdout.write(listSuites(suites, missingTestDirs(repos)));
    return 0;
  }
  const found = pickSuite(suites, name, missingTestDirs(repos));
  const parsed = parseSuiteArgs(found, args);
  if (parsed === undefined) return 0; // --help was shown
  const run = { ...definedOf(flags), ...definedOf(parsed.run) } as TestFlagValues;
  if (run.markers !== undefined)
    checkMarkerExpression(run.markers, found.suite.name, found.suite.tags);
  const stability = stabilityOf(run);
  const monitorPlan = testMonitorPlan(run);
  // The suite's workers inherit it: their Docker fixtures are then reused.
  if (run.reuseContainers) process.env[REUSE_ENV] = '1';
  const invocation = await Invocation.start(options, {
    command: 'test',
    name: found.suite.name,
    repos,
    needsLab: false,
    gated: true,
  });
  return invocation.complete(async (signal) => {
    const { logger } = invocation;
    logger.info(
      `${found.suite.name}: running ${relative(found.repo.root, found.file)} of ${found.repo.settings.name}${describeRun(run, stability)}`,
    );
    const monitor =
      monitorPlan && (await startTestMonitor(invocation, monitorPlan, found.suite.name));
    let result: SuiteRun;
    try {
      result = await runSuite({
        found,
        values: parsed.values,
        lab: invocation.lab,
        repos,
        outputDir: invocation.outputDir.path,
        logPath: invocation.outputDir.logPath,
        logger,
        masker: processSecrets,
        consoleLevel: options.logLevel,
        color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
        dryRun: options.dryRun,
        ...(run.results !== undefined && { junitPath: resolve(run.results) }),
        ...(run.markers !== undefined && { markers: run.markers }),
        ...(stability && { stability }),
        ...(fromCache && { declarationHash: declarationHashOf(found.suite) }),
        cacheDir: resolve(options.xdir, '.cache', 'vite'),
        ...(monitor && { monitor: monitor.monitor, monitorDb: monitor.db }),
        signal,
      });
    } finally {
      await monitor?.stop();
    }
    // A suite file that did not load as its cached declaration said: read the files next time.
    if (fromCache && result.results.errors.length > 0) await dropSuiteCache(options.xdir, repos);
    // Tests left out by -m count as skipped: none ran when every test was skipped.
    if (
      !signal.aborted &&
      result.counts.total === result.counts.skipped &&
      result.results.errors.length === 0
    )
      logger.error(
        `${found.suite.name}: no test ran${run.markers !== undefined ? ` (none matches -m "${run.markers}")` : ''}.`,
      );
    logger.info(`JUnit report: ${result.junitPath}`);
    logger.info(`summary: ${result.summaryPath}`);
    if (result.stabilityPath) logger.info(`stability report: ${result.stabilityPath}`);
    if (monitor)
      logger.info(`monitor: ${monitor.db} (open it with: ${replayCommandOf(monitor.db)})`);
    return result.exitCode;
  });
}

function pickSuite(
  suites: readonly FoundSuite[],
  name: string | undefined,
  missingDirs: readonly string[],
): FoundSuite {
  const names = suites.map((item) => item.suite.name).sort();
  const known =
    names.length > 0
      ? names.join(', ')
      : `none (${missingDirs.length > 0 ? describeMissing(missingDirs) : "no file in the repos' tests folders declares one"})`;
  if (name === undefined)
    throw new ConfigError('NO_SUITE', `No suite given. Suites: ${known}.`, {
      fix: 'otto test <Suite> [options]; otto test --list-suites describes them.',
    });
  // otto test's own flags are read before the name; a suite's flag there ends up as the name.
  if (name.startsWith('-'))
    throw new ConfigError(
      'NO_SUITE',
      `No suite given before "${name}": a suite's own options come after its name. Suites: ${known}.`,
      { fix: `otto test <Suite> ${name} ...; otto test --list-suites describes them.` },
    );
  const found = suites.find((item) => item.suite.name === name);
  if (found) return found;
  const near = closestIds(name, names);
  throw new ConfigError(
    'UNKNOWN_SUITE',
    `No suite "${name}"${near ? `; did you mean ${near}?` : '.'} Suites: ${known}.`,
    { fix: 'otto test --list-suites describes them.' },
  );
}

/** The suite's values and otto test's flags given after the name; undefined after `--help`. */
function parseSuiteArgs(
  found: FoundSuite,
  args: readonly string[],
): { values: Record<string, unknown>; run: Partial<TestFlagValues> } | undefined {
  const { suite } = found;
  const clashes = clashesWithTestFlags(suite.options);
  if (clashes.length > 0)
    throw new ConfigError(
      'SUITE_INVALID',
      `Suite "${suite.name}" declares options that are otto test's own: ${clashes.join(', ')}.`,
      { fix: 'rename those options of the suite.' },
    );
  const command = addOptionSet(
    addOptionSet(
      new Command(suite.name)
        .description(
          `${suite.help}${suite.tags.length > 0 ? `\n\nMarkers (-m): ${suite.tags.join(', ')}` : ''}`,
        )
        .usage('[options]')
        .exitOverride()
        .allowExcessArguments(false),
      suite.options,
    ),
    TEST_FLAGS,
  );
  command.configureHelp({ commandUsage: () => `otto test ${suite.name} [options]` });
  configureUsageErrors(command, `otto test ${suite.name}`);
  try {
    command.parse([...args], { from: 'user' });
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode === 0) return undefined;
    throw error;
  }
  // Only the flags given: those before the name are kept unless given again after it.
  const given = Object.fromEntries(
    Object.keys(TEST_FLAGS)
      .filter((key) => command.getOptionValueSource(key) === 'cli')
      .map((key) => [key, command.getOptionValue(key) as unknown]),
  );
  return { values: optionSetValues(command, suite.options), run: given };
}

function stabilityOf(run: TestFlagValues): StabilityLimits | undefined {
  if (run.iterations === undefined && run.duration === undefined) return undefined;
  return {
    ...(run.iterations !== undefined && { iterations: run.iterations }),
    ...(run.duration !== undefined && { durationS: run.duration }),
    threshold: run.threshold ?? 100,
  };
}

function describeRun(run: TestFlagValues, stability: StabilityLimits | undefined): string {
  const parts = [
    ...(run.markers !== undefined ? [`markers "${run.markers}"`] : []),
    ...(stability?.iterations !== undefined ? [`${stability.iterations} iterations`] : []),
    ...(stability?.durationS !== undefined ? [`${stability.durationS}s duration`] : []),
    ...(stability ? [`threshold ${stability.threshold}%`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function definedOf<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** The repos' `tests` folders that do not exist: a typo there would otherwise hide every suite. */
function missingTestDirs(repos: readonly Repo[]): string[] {
  const dirs = repos.flatMap((repo) => repo.settings.tests.map((dir) => resolve(repo.root, dir)));
  return dirs.filter((dir) => !existsSync(dir));
}

function describeMissing(dirs: readonly string[]): string {
  return `the tests folder${dirs.length > 1 ? 's' : ''} ${dirs.join(', ')} ${dirs.length > 1 ? 'do' : 'does'} not exist; see "tests" in .otto/settings.toml`;
}

function listSuites(suites: readonly FoundSuite[], missingDirs: readonly string[]): string {
  if (suites.length === 0 && missingDirs.length > 0)
    return `No suites: ${describeMissing(missingDirs)}.\n`;
  if (suites.length === 0)
    return "No suites: no file in the repos' tests folders declares one (see defineSuite).\n";
  const lines: string[] = [];
  for (const repo of new Set(suites.map((item) => item.repo))) {
    lines.push(`${repo.settings.name} (${repo.root})`);
    const mine = suites.filter((item) => item.repo === repo);
    const width = mine.reduce((most, item) => Math.max(most, item.suite.name.length), 0);
    for (const { suite, file } of mine) {
      const tags = suite.tags.length > 0 ? `  tags: ${suite.tags.join(', ')}` : '';
      lines.push(
        `  ${suite.name.padEnd(width)}  ${suite.help || '-'}  [${relative(repo.root, file)}]${tags}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
