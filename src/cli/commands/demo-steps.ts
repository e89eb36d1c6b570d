import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDurationMs } from '../../common/duration.js';
import { quotePosix } from '../../common/quote.js';
import { isStable } from '../../suites/stability.js';
import type { GlobalFlags } from '../invocation/global-options.js';

/**
 * The steps of `otto demo` that are real otto commands on the demo repo (`otto run deploy`, then
 * `otto test DemoSuite` as a stability run, monitored), each printed, then run by this same CLI with its
 * output on the console; and the summary of what they gave, from their output directories.
 */

/** This same CLI, which the demo's steps run. */
const OTTO_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/**
 * The suite run: enough iterations for the flaky test to fail once and still be stable, with a
 * monitor of the stack's containers (they are container hosts: polled only when matched).
 */
const SUITE_ARGS = [
  'DemoSuite',
  '-i',
  '3',
  '--threshold',
  '60',
  '--monitor',
  '--monitor-hosts',
  'demo',
  // The suite runs for about 2 s: half-second ticks give the recording a few points per series.
  '--monitor-interval',
  '0.5',
];

/** What one otto command of the demo gave. */
export interface StepResult {
  name: string;
  exitCode: number;
  durationMs: number;
  /** Its output directory, when it made one. */
  outputDir?: string;
}

/** The child running now, which a second Ctrl-C stops at once too. */
let currentChild: ChildProcess | undefined;

/** Passes a Ctrl-C on to the step running now, if any (the second one quits it at once). */
export function interruptRunningStep(): void {
  currentChild?.kill('SIGINT');
}

/** Where and how the demo's otto commands run. */
export interface StepsContext {
  globals: GlobalFlags;
  xdir: string;
  signal: AbortSignal;
}

/** One otto command of the demo: `otto [globals] <command> <name> [args]`. */
interface StepPlan {
  command: 'run' | 'test';
  name: string;
  args: string[];
}

/**
 * `otto run deploy`, then (when it passed) the suite, on the repo at `repoDir`; each step is
 * added to `steps` as it ends, so the caller has them after a throw or Ctrl-C too.
 */
export async function runDemoSteps(
  run: StepsContext,
  repoDir: string,
  steps: StepResult[],
): Promise<void> {
  const given = globalArgs(run.globals);
  // The suite's host commands and iteration banners are in its otto.log; the console keeps the
  // test lines, the failures and the stability table.
  const quiet = run.globals.logLevel ? [] : ['--log-level', 'warn'];
  const plans: StepPlan[] = [
    { command: 'run', name: 'deploy', args: given },
    { command: 'test', name: 'DemoSuite', args: [...given, ...quiet] },
  ];
  for (const plan of plans) {
    if (run.signal.aborted) return;
    const step = await runOtto(run, repoDir, plan);
    steps.push(step);
    if (step.exitCode !== 0) return;
  }
}

/** The global flags the user gave that the steps need too. */
function globalArgs(globals: GlobalFlags): string[] {
  return [
    ...(globals.xdir ? ['-x', globals.xdir] : []),
    ...(globals.logLevel ? ['--log-level', globals.logLevel] : []),
  ];
}

/**
 * Runs this CLI on the demo repo, its output on the console as it comes. It gets a process group
 * of its own, so a Ctrl-C on the terminal reaches the demo only, which passes it on once: the
 * step stops cleanly, as one Ctrl-C stops otto, rather than quitting at a second.
 */
async function runOtto(run: StepsContext, repoDir: string, plan: StepPlan): Promise<StepResult> {
  const { command, name } = plan;
  const args = [...plan.args, command, ...(command === 'test' ? SUITE_ARGS : [name])];
  console.log(`\n$ OTTO_SUT_DIRS=${quotePosix(shortPath(repoDir))} otto ${args.join(' ')}`);
  const before = await outputDirsOf(run.xdir, command, name);
  const startMs = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, OTTO_SUT_DIRS: repoDir };
  // The demo's hosts are its stack's: a lab of the user's environment has no part in it.
  delete env.OTTO_LAB;
  const child = spawn(process.execPath, [OTTO_MAIN, ...args], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  currentChild = child;
  const interrupt = () => child.kill('SIGINT');
  run.signal.addEventListener('abort', interrupt, { once: true });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      // Killed by a signal: as a shell says it, 128 + its number.
      child.once('close', (code, signal) =>
        resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)),
      );
    });
    const made = (await outputDirsOf(run.xdir, command, name)).filter(
      (dir) => !before.includes(dir),
    );
    const outputDir = made.at(-1);
    return {
      name,
      exitCode,
      durationMs: performance.now() - startMs,
      ...(outputDir && { outputDir }),
    };
  } finally {
    run.signal.removeEventListener('abort', interrupt);
    currentChild = undefined;
  }
}

/** The output directories of `otto <command> <name>` in the xdir, oldest first. */
async function outputDirsOf(xdir: string, command: string, name: string): Promise<string[]> {
  const stamped = new RegExp(`^\\d{8}_\\d{6}_\\d{3}_${name}(_\\d+)?$`);
  const entries = await readdir(join(xdir, command)).catch(() => []);
  return entries
    .filter((entry) => stamped.test(entry))
    .sort()
    .map((entry) => join(xdir, command, entry));
}

/** The summary: each step's outcome, then where its logs and reports are. */
export async function describeDemoSteps(steps: readonly StepResult[]): Promise<string> {
  const [deploy, suite] = steps;
  const report = suite?.outputDir ? await readSuiteReport(suite.outputDir) : undefined;
  const lines = [
    '',
    'Summary:',
    `  deploy     ${deploy ? outcomeOf(deploy) : 'not run'}`,
    `  suite      ${suite ? `DemoSuite ${outcomeOf(suite)}${report ? `: ${report.text}` : ''}` : 'not run'}`,
  ];
  steps.forEach((step, index) => {
    if (step.outputDir)
      lines.push(`  ${index === 0 ? 'logs ' : '     '}      ${step.outputDir}/otto.log`);
  });
  if (report) lines.push(...report.paths);
  return lines.join('\n');
}

function outcomeOf(step: StepResult): string {
  return `exit ${step.exitCode} in ${formatDurationMs(step.durationMs)}`;
}

/** The parts of the suite run's `summary.json` the demo's summary reads. */
interface SuiteSummary {
  counts: { total: number; passed: number };
  stability: { threshold: number } | null;
  tests: Array<{ id: string; stability?: { passed: number; total: number } }>;
  reports: { junit: string; stability?: string; monitor?: string };
}

/** The suite run's outcome in one line, and its reports; undefined when it wrote none. */
async function readSuiteReport(dir: string) {
  const summaryPath = join(dir, 'summary.json');
  let summary: SuiteSummary;
  try {
    summary = JSON.parse(await readFile(summaryPath, 'utf8')) as SuiteSummary;
  } catch {
    return undefined; // A run that ended before its reports: its otto.log says why.
  }
  const { counts, stability, reports } = summary;
  const paths = [`  JUnit      ${reports.junit}`, `  summary    ${summaryPath}`];
  if (reports.stability) paths.push(`  stability  ${reports.stability}`);
  if (reports.monitor)
    paths.push(
      `  monitor    ${reports.monitor}`,
      `  open it    otto monitor --file ${quotePosix(shortPath(reports.monitor))}`,
    );
  const text = `${counts.passed}/${counts.total} tests passed${stability ? describeStability(summary.tests, stability.threshold) : ''}`;
  return { text, paths };
}

/** `, all stable at threshold 60% (flaky on purpose 2/3)`: the verdict, and tests below 100%. */
function describeStability(tests: SuiteSummary['tests'], threshold: number): string {
  const rows = tests.flatMap((test) =>
    test.stability ? [{ id: test.id, ...test.stability }] : [],
  );
  const unstable = rows.filter((row) => !isStable(row, threshold)).length;
  const verdict = unstable === 0 ? 'all stable' : `${unstable} unstable`;
  const below = rows
    .filter((row) => row.passed < row.total)
    .map((row) => `${row.id} ${row.passed}/${row.total}`);
  return `, ${verdict} at threshold ${threshold}%${below.length > 0 ? ` (${below.join(', ')})` : ''}`;
}

/** A path relative to the current folder when it lies below it, else as it is. */
function shortPath(path: string): string {
  const below = relative(process.cwd(), path);
  return below && !below.startsWith('..') && !isAbsolute(below) ? below : path;
}
