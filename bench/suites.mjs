// `npm run bench -- suites`: what `otto test` costs over plain Vitest, on one suite file that runs
// under both. (1) From spawning the command to the first test body (the body writes its wall-clock
// time to a file): `otto test` with its declaration cache (warm) and without it (cold, the cache
// removed before each run), plain Vitest, and `otto --version` (spawn to exit) as the floor.
// (2) 1000 trivial tests, wall time of the whole command: `otto test`, plain Vitest, and plain
// Vitest with its JUnit reporter (otto test always writes one). Every run must exit 0 and report
// what it ran. Everything lives in one temporary folder, removed at the end.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, median } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TESTS = 1000;
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

export default defineSuite({ name: 'FirstBody', help: 'Writes when its first test body starts.' }, (t) => {
  t.test('first', () => {
    writeFileSync(process.env.BENCH_MARK_FILE, String(performance.timeOrigin + performance.now()));
  });
  t.test('second', () => {});
});
`;

const MANY_SUITE = `import { defineSuite } from 'otto-ts';

export default defineSuite({ name: 'ManyTests', help: '${TESTS} tests that do nothing.' }, (t) => {
  for (let index = 0; index < ${TESTS}; index++) t.test(\`trivial \${index}\`, () => {});
});
`;

/**
 * Plain Vitest's config: `otto-ts` resolves to this checkout, loaded by Node as it is (as otto
 * test does, and as an installed package would be: Vitest externalizes node_modules).
 */
function vitestConfig(cacheDir) {
  const dist = join(ROOT, 'dist');
  return `export default {
  cacheDir: ${JSON.stringify(cacheDir)},
  test: {
    alias: [{ find: /^otto-ts$/, replacement: ${JSON.stringify(join(dist, 'index.js'))} }],
    server: { deps: { external: [${JSON.stringify(`${dist}/`)}] } },
  },
};
`;
}

/** Writes the temporary repo (settings, both suite files, Vitest's config); returns its paths. */
function makeRepo() {
  const base = mkdtempSync(join(tmpdir(), 'otto-bench-suites-'));
  const root = join(base, 'repo');
  const xdir = join(base, 'xdir');
  const files = {
    '.otto/settings.toml': 'name = "bench"\nversion = "1.0.0"\ntests = ["${sutDir}/tests"]\n',
    'tests/first-body.test.ts': FIRST_BODY_SUITE,
    'tests/many-tests.test.ts': MANY_SUITE,
    'vitest.config.mjs': vitestConfig(join(base, 'vite-cache')),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { base, root, xdir, markFile: join(base, 'first-body.mark') };
}

/** Spawns `node ...args`; resolves to { stdout, startMs } once it exits 0, else rejects. */
function runNode(args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const startMs = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => out.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString();
      if (code === 0) return resolve({ stdout, startMs });
      reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal}:\n${stdout}`));
    });
  });
}

/** Checks that a run's output says it ran `count` tests, all passed. */
function checkRan(name, stdout, count, pattern) {
  if (!pattern.test(stdout))
    throw new Error(`${name} did not report ${count} passed tests:\n${stdout.slice(-2000)}`);
}

/** The commands measured, each a function of the suite: { otto, vitest, vitestJunit }. */
function commands(repo) {
  // The children run on plain node, as users run the CLI: no inherited NODE_OPTIONS or otto settings.
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
  const file = (suite) => `tests/${suite === 'FirstBody' ? 'first-body' : 'many-tests'}.test.ts`;
  return {
    otto: (suite, cli = CLI) => runNode([cli, 'test', suite], at),
    vitest: (suite) => runNode([VITEST, 'run', file(suite)], at),
    vitestJunit: (suite) =>
      runNode(
        [
          ...[VITEST, 'run', file(suite), '--reporter=default', '--reporter=junit'],
          `--outputFile.junit=${join(repo.base, 'vitest-junit.xml')}`,
        ],
        at,
      ),
    version: () => runNode([CLI, '--version'], at),
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
 * Like lib.mjs's `compare`, for figures a run measures itself: each contender's `measure`
 * resolves to its milliseconds. Interleaved rounds, alternating order, after one warm-up round.
 */
async function compareMeasured(title, contenders, rounds) {
  for (const contender of contenders) await contender.measure();
  const samples = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) samples[index].push(await contenders[index].measure());
  }
  const rows = contenders.map((contender, index) => ({
    name: contender.name,
    medianMs: median(samples[index]),
    minMs: Math.min(...samples[index]),
  }));
  console.log(`\n### ${title} (${rounds} interleaved rounds)\n`);
  console.log('| contender | median | min | ratio to plain Vitest |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows)
    console.log(
      `| ${row.name} | ${row.medianMs.toFixed(0)} ms | ${row.minMs.toFixed(0)} ms | ${(row.medianMs / rows[0].medianMs).toFixed(2)}x |`,
    );
  return rows;
}

async function firstBody(repo, run) {
  const cachePath = join(repo.xdir, '.cache', 'suites.json');
  // The very first runs: nothing cached (no declaration cache, no Vite cache).
  const firstOtto = await toFirstBody(repo, () => run.otto('FirstBody'));
  const firstVitest = await toFirstBody(repo, () => run.vitest('FirstBody'));
  console.log(
    `\nFirst runs, nothing cached: otto test ${firstOtto.toFixed(0)} ms, plain Vitest ${firstVitest.toFixed(0)} ms to the first body.`,
  );
  const contenders = [
    { name: 'plain Vitest', measure: () => toFirstBody(repo, () => run.vitest('FirstBody')) },
    { name: 'otto test, warm', measure: () => toFirstBody(repo, () => run.otto('FirstBody')) },
    {
      name: 'otto test, cold (no declaration cache)',
      measure: () => {
        rmSync(cachePath, { force: true });
        return toFirstBody(repo, () => run.otto('FirstBody'));
      },
    },
    { name: 'otto --version (spawn to exit)', measure: () => timed(run.version) },
    ...(OTHER_CLI
      ? [
          {
            name: 'other otto test, warm',
            measure: () => toFirstBody(repo, () => run.otto('FirstBody', OTHER_CLI)),
          },
        ]
      : []),
  ];
  return compareMeasured('Spawn to the first test body', contenders, ROUNDS);
}

async function timed(start) {
  const { startMs } = await start();
  return performance.timeOrigin + performance.now() - startMs;
}

async function manyTests(run) {
  const ottoRan = new RegExp(`ManyTests: ${TESTS} passed \\(${TESTS} tests\\)`);
  const vitestRan = new RegExp(`Tests\\s+${TESTS} passed \\(${TESTS}\\)`);
  const check = (name, start, pattern) => async () =>
    checkRan(name, (await start()).stdout, TESTS, pattern);
  return compare(
    `${TESTS} trivial tests: spawn, wait for exit 0`,
    [
      { name: 'plain Vitest', run: check('vitest', () => run.vitest('ManyTests'), vitestRan) },
      {
        name: 'plain Vitest + JUnit reporter',
        run: check('vitest', () => run.vitestJunit('ManyTests'), vitestRan),
      },
      { name: 'otto test', run: check('otto test', () => run.otto('ManyTests'), ottoRan) },
      ...(OTHER_CLI
        ? [
            {
              name: 'other otto test',
              run: check('otto test', () => run.otto('ManyTests', OTHER_CLI), ottoRan),
            },
          ]
        : []),
    ],
    { rounds: ROUNDS, warmup: 1 },
  );
}

function printVerdicts(first, many) {
  const [vitest, warm, cold, floor] = first;
  const ratio = many[2].medianMs / many[0].medianMs;
  const pass = (ok) => (ok ? 'PASS' : 'FAIL');
  console.log(
    [
      '',
      `${pass(warm.medianMs <= TARGETS.firstBodyMs)} otto test to the first body, warm: median ${warm.medianMs.toFixed(0)} ms (plain Vitest ${vitest.medianMs.toFixed(0)} ms, ${(warm.medianMs / vitest.medianMs).toFixed(2)}x; floor otto --version ${floor.medianMs.toFixed(0)} ms), target <= ${TARGETS.firstBodyMs} ms`,
      `${pass(cold.medianMs <= TARGETS.firstBodyMs)} otto test to the first body, cold: median ${cold.medianMs.toFixed(0)} ms, target <= ${TARGETS.firstBodyMs} ms`,
      `${pass(ratio <= TARGETS.manyRatio)} ${TESTS} trivial tests: otto test ${many[2].medianMs.toFixed(0)} ms, plain Vitest ${many[0].medianMs.toFixed(0)} ms, ${ratio.toFixed(2)}x, target <= ${TARGETS.manyRatio}x`,
    ].join('\n'),
  );
}

export async function run() {
  const repo = makeRepo();
  try {
    const run = commands(repo);
    const first = await firstBody(repo, run);
    const many = await manyTests(run);
    printVerdicts(first, many);
  } finally {
    rmSync(repo.base, { recursive: true, force: true });
  }
}
