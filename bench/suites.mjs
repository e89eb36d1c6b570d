// `npm run bench -- suites`: what `otto test` costs over plain Vitest, on one suite file that runs
// under both. (1) From spawning the command to the first test body (the body writes its wall-clock
// time to a file): `otto test` with its declaration cache (warm) and without it (cold: the cache is
// removed before each of its runs), plain Vitest on the same file, plain Vitest on a file that does
// not import otto-ts (Vitest's own start), and `otto --version` (spawn to exit, node's and the
// CLI's floor). (2) 1000 trivial tests, the whole command: `otto test`, plain Vitest, and plain
// Vitest with its JUnit reporter (otto test always writes one); wall time, and the CPU time of the
// command's process tree, which a busy machine disturbs less. Every run must exit 0 and report what
// it ran. Both run a copy of dist/ taken at the start, so that another build of the checkout
// cannot change what is measured midway. Everything lives in one temporary folder, removed at the end.
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TESTS = 1000;
const FIRST_BODY_FILE = 'tests/first-body.test.ts';
const MANY_FILE = 'tests/many-tests.test.ts';
const BARE_FILE = 'plain/bare.test.ts';
/**
 * Another build of the CLI to measure side by side (e.g. with a proposed change):
 * BENCH_OTHER_CLI=/path/to/other/dist/cli/main.js npm run bench -- suites
 */
const OTHER_CLI = process.env.BENCH_OTHER_CLI;
/** Targets: a median in ms for the first body, a ratio to plain Vitest for 1000 tests. */
const TARGETS = { firstBodyMs: 1500, manyRatio: 1.2 };

/** The suite whose first test writes when its body starts (the same file under both runners). */
const FIRST_BODY_SUITE = `import { writeFileSync } from 'node:fs';
import { defineSuite } from 'otto-ts';

export default defineSuite({ name: 'FirstBody', help: 'Writes when its first body starts.' }, (t) => {
  t.test('first', () => {
    writeFileSync(process.env.BENCH_MARK_FILE, String(performance.timeOrigin + performance.now()));
  });
  t.test('second', () => {});
});
`;

/** A Vitest file without otto-ts: Vitest's own start. Outside `tests`, so otto never reads it. */
const BARE_TEST = `import { writeFileSync } from 'node:fs';
import { test } from 'vitest';

test('first', () => {
  writeFileSync(process.env.BENCH_MARK_FILE, String(performance.timeOrigin + performance.now()));
});
`;

const MANY_SUITE = `import { defineSuite } from 'otto-ts';

export default defineSuite({ name: 'ManyTests', help: '${TESTS} tests that do nothing.' }, (t) => {
  for (let index = 0; index < ${TESTS}; index++) t.test(\`trivial \${index}\`, () => {});
});
`;

/**
 * Plain Vitest's config: `otto-ts` resolves to the copy of the build, loaded by Node as it is
 * (as otto test does, and as an installed package would be: Vitest externalizes node_modules).
 */
function vitestConfig(dist, cacheDir) {
  return `export default {
  cacheDir: ${JSON.stringify(cacheDir)},
  test: {
    alias: [{ find: /^otto-ts$/, replacement: ${JSON.stringify(join(dist, 'index.js'))} }],
    // A RegExp: Vitest reads a string here as a package name under node_modules.
    server: { deps: { external: [new RegExp(${JSON.stringify(`^${escapeRegExp(dist)}/`)})] } },
  },
};
`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A copy of the built package (dist/, package.json, node_modules linked): what the benchmark runs,
 * so that a build of the same checkout during the minutes it takes cannot change it midway.
 */
function snapshotPackage(base) {
  const copy = join(base, 'otto-ts');
  cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return { cli: join(copy, 'dist', 'cli', 'main.js'), dist: join(copy, 'dist') };
}

/** Writes the temporary repo (settings, the test files, Vitest's config); returns its paths. */
function makeRepo() {
  const base = mkdtempSync(join(tmpdir(), 'otto-bench-suites-'));
  try {
    return writeRepo(base);
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
}

function writeRepo(base) {
  const otto = snapshotPackage(base);
  const root = join(base, 'repo');
  const xdir = join(base, 'xdir');
  const files = {
    '.otto/settings.toml': 'name = "bench"\nversion = "1.0.0"\ntests = ["${sutDir}/tests"]\n',
    [FIRST_BODY_FILE]: FIRST_BODY_SUITE,
    [MANY_FILE]: MANY_SUITE,
    [BARE_FILE]: BARE_TEST,
    'vitest.config.mjs': vitestConfig(otto.dist, join(base, 'vite-cache')),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { base, root, xdir, cli: otto.cli, markFile: join(base, 'first-body.mark') };
}

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = clockTicks();

function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
}

/**
 * CPU time (user + system, ms) of this process's children that have been waited for, and of their
 * waited-for descendants (the Vitest workers): the delta over one run is that run's process tree.
 * Undefined where /proc is missing.
 */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // Fields 16 and 17 of stat(5), cutime and cstime; the split starts at field 3.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Spawns `node ...args`; once it exits 0 resolves to { stdout, startMs (wall clock), wallMs,
 * cpuMs }, else rejects with its output.
 */
function runNode(args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs();
    const startMs = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => out.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.timeOrigin + performance.now() - startMs;
      const cpuAfter = childrenCpuMs();
      const cpuMs = cpuBefore === undefined ? undefined : cpuAfter - cpuBefore;
      const stdout = Buffer.concat(out).toString();
      if (code === 0) return resolve({ stdout, startMs, wallMs, cpuMs });
      reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal}:\n${stdout}`));
    });
  });
}

/** The commands measured; each resolves to what {@link runNode} gives. */
function commands(repo) {
  // The children run on plain node, as users run the CLI: no inherited NODE_OPTIONS, no otto
  // settings of the caller.
  const { NODE_OPTIONS, OTTO_SUT_DIRS, OTTO_LAB, OTTO_XDIR, ...base } = process.env;
  const env = {
    ...base,
    NO_COLOR: '1',
    OTTO_SUT_DIRS: repo.root,
    OTTO_XDIR: repo.xdir,
    OTTO_LAB: '',
    BENCH_MARK_FILE: repo.markFile,
  };
  const at = { cwd: repo.root, env };
  const junit = join(repo.base, 'vitest-junit.xml');
  return {
    otto: (suite, cli = repo.cli) => runNode([cli, 'test', suite], at),
    vitest: (file) => runNode([VITEST, 'run', file], at),
    vitestJunit: (file) =>
      runNode(
        [
          VITEST,
          'run',
          file,
          '--reporter=default',
          '--reporter=junit',
          `--outputFile.junit=${junit}`,
        ],
        at,
      ),
    version: () => runNode([repo.cli, '--version'], at),
  };
}

/** Milliseconds from the spawn to the first body's mark; the mark must be this run's. */
async function toFirstBody(repo, start) {
  rmSync(repo.markFile, { force: true });
  const { startMs } = await start();
  if (!existsSync(repo.markFile)) throw new Error('The first test body did not run.');
  return Number(readFileSync(repo.markFile, 'utf8')) - startMs;
}

/**
 * Runs each contender's `measure` (resolving to { [metric]: ms }) once untimed, then `rounds`
 * times, interleaved, alternating the order (as lib.mjs's `compare`); prints a table per metric
 * with ratios to the first contender and returns { name, [metric]: { medianMs, minMs } } rows.
 */
async function compareMeasured(title, contenders, metrics, rounds) {
  for (const contender of contenders) await contender.measure();
  const samples = contenders.map(() => Object.fromEntries(metrics.map(([key]) => [key, []])));
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) {
      const values = await contenders[index].measure();
      for (const [key] of metrics)
        if (values[key] !== undefined) samples[index][key].push(values[key]);
    }
  }
  const rows = contenders.map((contender, index) => {
    const row = { name: contender.name };
    for (const [key] of metrics) {
      const values = samples[index][key];
      if (values.length > 0) row[key] = { medianMs: median(values), minMs: Math.min(...values) };
    }
    return row;
  });
  for (const [key, label] of metrics)
    if (rows[0][key]) printTable(`${title}: ${label}`, rows, key, rounds);
  return rows;
}

function printTable(title, rows, key, rounds) {
  console.log(`\n### ${title} (${rounds} interleaved rounds)\n`);
  console.log(`| contender | median | min | ratio to ${rows[0].name} |`);
  console.log('|---|---:|---:|---:|');
  for (const row of rows.filter((item) => item[key]))
    console.log(
      `| ${row.name} | ${row[key].medianMs.toFixed(0)} ms | ${row[key].minMs.toFixed(0)} ms | ${(row[key].medianMs / rows[0][key].medianMs).toFixed(2)}x |`,
    );
}

/** otto test's declaration caches (`<xdir>/.cache/suites*.json`). */
function declarationCaches(xdir) {
  const dir = join(xdir, '.cache');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^suites.*\.json$/.test(name))
    .map((name) => join(dir, name));
}

/** A run without the declaration cache; it must have read the files (and so written a cache). */
async function coldToFirstBody(repo, start) {
  for (const path of declarationCaches(repo.xdir)) rmSync(path);
  const ms = await toFirstBody(repo, start);
  if (declarationCaches(repo.xdir).length === 0)
    throw new Error(`otto test wrote no declaration cache in ${repo.xdir}/.cache: was it cold?`);
  return ms;
}

async function firstBody(repo, run) {
  const toBody = (start) => async () => ({ ms: await toFirstBody(repo, start) });
  // The very first runs: nothing cached (no declaration cache, no Vite cache).
  const firstOtto = await coldToFirstBody(repo, () => run.otto('FirstBody'));
  const firstVitest = await toFirstBody(repo, () => run.vitest(FIRST_BODY_FILE));
  console.log(
    `\nFirst runs, nothing cached: otto test ${firstOtto.toFixed(0)} ms, plain Vitest ${firstVitest.toFixed(0)} ms to the first body.`,
  );
  const contenders = [
    { name: 'plain Vitest', measure: toBody(() => run.vitest(FIRST_BODY_FILE)) },
    { name: 'otto test, warm', measure: toBody(() => run.otto('FirstBody')) },
    {
      name: 'otto test, cold (no declaration cache)',
      measure: async () => ({ ms: await coldToFirstBody(repo, () => run.otto('FirstBody')) }),
    },
    { name: 'plain Vitest, file without otto-ts', measure: toBody(() => run.vitest(BARE_FILE)) },
    {
      name: 'otto --version (spawn to exit)',
      measure: async () => ({ ms: (await run.version()).wallMs }),
    },
    ...(OTHER_CLI
      ? [
          {
            name: 'other otto test, warm',
            measure: toBody(() => run.otto('FirstBody', OTHER_CLI)),
          },
          {
            name: 'other otto test, cold',
            measure: async () => ({
              ms: await coldToFirstBody(repo, () => run.otto('FirstBody', OTHER_CLI)),
            }),
          },
        ]
      : []),
  ];
  const rows = await compareMeasured(
    'Spawn to the first test body',
    contenders,
    [['ms', 'wall time']],
    ROUNDS,
  );
  return { firstOtto, rows };
}

async function manyTests(run) {
  const ottoRan = new RegExp(`ManyTests: ${TESTS} passed \\(${TESTS} tests\\)`);
  const vitestRan = new RegExp(`Tests\\s+${TESTS} passed \\(${TESTS}\\)`);
  const checked = (name, start, pattern) => async () => {
    const { stdout, wallMs, cpuMs } = await start();
    if (!pattern.test(stdout))
      throw new Error(`${name} did not report ${TESTS} passed tests:\n${stdout.slice(-2000)}`);
    return { wallMs, cpuMs };
  };
  return compareMeasured(
    `${TESTS} trivial tests, the whole command`,
    [
      { name: 'plain Vitest', measure: checked('vitest', () => run.vitest(MANY_FILE), vitestRan) },
      {
        name: 'plain Vitest + JUnit reporter',
        measure: checked('vitest', () => run.vitestJunit(MANY_FILE), vitestRan),
      },
      { name: 'otto test', measure: checked('otto test', () => run.otto('ManyTests'), ottoRan) },
      ...(OTHER_CLI
        ? [
            {
              name: 'other otto test',
              measure: checked('otto test', () => run.otto('ManyTests', OTHER_CLI), ottoRan),
            },
          ]
        : []),
    ],
    [
      ['wallMs', 'wall time'],
      ['cpuMs', 'CPU time of the process tree'],
    ],
    ROUNDS,
  );
}

function printVerdicts({ firstOtto, rows: first }, many) {
  const [vitest, warm, cold, bare, floor] = first.map((row) => row.ms.medianMs);
  const [plain, junit, otto] = many;
  const ratio = otto.wallMs.medianMs / plain.wallMs.medianMs;
  const pass = (ok) => (ok ? 'PASS' : 'FAIL');
  const ms = (value) => `${value.toFixed(0)} ms`;
  const x = (a, b) => `${(a / b).toFixed(2)}x`;
  const cpu = otto.cpuMs
    ? `; CPU ${ms(otto.cpuMs.medianMs)} vs ${ms(plain.cpuMs.medianMs)}, ${x(otto.cpuMs.medianMs, plain.cpuMs.medianMs)} (with JUnit ${x(otto.cpuMs.medianMs, junit.cpuMs.medianMs)})`
    : '';
  console.log(
    [
      '',
      `${pass(warm <= TARGETS.firstBodyMs)} otto test to the first body, warm: median ${ms(warm)}, ${x(warm, vitest)} plain Vitest's ${ms(vitest)} (Vitest without otto-ts ${ms(bare)}, otto --version ${ms(floor)}); target <= ${TARGETS.firstBodyMs} ms`,
      `${pass(cold <= TARGETS.firstBodyMs)} otto test to the first body, cold: median ${ms(cold)}, ${x(cold, vitest)} plain Vitest's (the very first run: ${ms(firstOtto)}); target <= ${TARGETS.firstBodyMs} ms`,
      `${pass(ratio <= TARGETS.manyRatio)} ${TESTS} trivial tests: otto test ${ms(otto.wallMs.medianMs)}, plain Vitest ${ms(plain.wallMs.medianMs)}, ${ratio.toFixed(2)}x (with JUnit ${x(otto.wallMs.medianMs, junit.wallMs.medianMs)})${cpu}; target <= ${TARGETS.manyRatio}x`,
    ].join('\n'),
  );
}

export async function run() {
  const repo = makeRepo();
  try {
    const spawns = commands(repo);
    const first = await firstBody(repo, spawns);
    const many = await manyTests(spawns);
    printVerdicts(first, many);
  } finally {
    rmSync(repo.base, { recursive: true, force: true });
  }
}
