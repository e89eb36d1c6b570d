// A repo image whose content hash exists: `otto docker build` (the built CLI, one process per run,
// exit 0, "up to date") next to a fully cached `docker build` of the same context (the classic
// builder, every step from its cache), with `node -e 0` as the floor every node program pays.
// Target: otto's median under 300 ms.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, spawnOk as spawnWithEnv } from './lib.mjs';

const spawnOk = (program, args, env) => spawnWithEnv(program, args, { env });

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const TARGET_MS = 300;
const NAME = `bench${process.pid}`;
const DOCKER_TAG = `otto-bench/cached-build-${process.pid}:latest`;

const DOCKERFILE = [
  'FROM otto/busybox:latest AS base',
  'ARG GREETING=unset',
  'RUN echo "$GREETING" > /greeting',
  'FROM base AS runtime',
  'COPY . /app',
  'RUN ls /app > /listing',
  '',
].join('\n');

/** A repo declaring one image with a small context: 40 files in 4 folders, and a .dockerignore. */
function makeRepo() {
  const base = mkdtempSync(join(tmpdir(), 'otto-bench-build-'));
  const root = join(base, 'repo');
  const context = join(root, 'docker', 'app');
  mkdirSync(join(root, '.otto'), { recursive: true });
  writeFileSync(
    join(root, '.otto', 'settings.toml'),
    [
      'name = "bench"',
      'version = "1.0.0"',
      '[[docker.images]]',
      `name = "${NAME}"`,
      'dockerfile = "docker/app/Dockerfile"',
      'context = "docker/app"',
      'target = "runtime"',
      'build_args = { GREETING = "hello" }',
      '',
    ].join('\n'),
  );
  for (let dir = 0; dir < 4; dir++) {
    mkdirSync(join(context, `src${dir}`), { recursive: true });
    for (let file = 0; file < 10; file++)
      writeFileSync(
        join(context, `src${dir}`, `file${file}.txt`),
        `content ${dir}/${file}\n`.repeat(50),
      );
  }
  writeFileSync(join(context, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(context, '.dockerignore'), '*.log\n');
  return { base, root, context };
}

export async function run() {
  const { NODE_OPTIONS, OTTO_SUT_DIRS, OTTO_LAB, ...base } = process.env;
  const repo = makeRepo();
  const env = {
    ...base,
    OTTO_SUT_DIRS: repo.root,
    OTTO_XDIR: join(repo.base, 'xdir'),
    NO_COLOR: '1',
  };
  const dockerEnv = { ...base, DOCKER_BUILDKIT: '0' };
  const ottoBuild = () => spawnOk(process.execPath, [CLI, 'docker', 'build'], env);
  const dockerArgs = [
    'build',
    '-q',
    '--target',
    'runtime',
    '--build-arg',
    'GREETING=hello',
    '-t',
    DOCKER_TAG,
    repo.context,
  ];
  try {
    // Once, untimed: both build, and otto then finds its image by hash.
    await ottoBuild();
    await spawnOk('docker', dockerArgs, dockerEnv);
    const skipped = await ottoBuild();
    if (!skipped.includes('up to date'))
      throw new Error(`otto docker build did not find its image by hash:\n${skipped}`);

    const rows = await compare(
      'repo image whose hash exists: spawn, wait for exit 0',
      [
        { name: 'node -e 0', run: () => spawnOk(process.execPath, ['-e', '0'], base) },
        { name: 'otto docker build (hash exists)', run: ottoBuild },
        {
          name: 'docker build (every step cached)',
          run: () => spawnOk('docker', dockerArgs, dockerEnv),
        },
      ],
      { rounds: ROUNDS, warmup: 2 },
    );
    const otto = rows[1].medianMs;
    const docker = rows[2].medianMs;
    console.log(
      `\notto docker build (hash exists): ${otto.toFixed(0)} ms median, ${(otto / docker).toFixed(2)}x a cached docker build, +${(otto - rows[0].medianMs).toFixed(0)} ms over node -e 0; target < ${TARGET_MS} ms: ${otto < TARGET_MS ? 'met' : 'MISSED'}.`,
    );
  } finally {
    const images = execFileSync(
      'docker',
      [
        'images',
        '-q',
        '--filter',
        `reference=bench-${NAME}`,
        '--filter',
        `reference=${DOCKER_TAG}`,
      ],
      { encoding: 'utf8' },
    );
    const ids = [...new Set(images.split('\n').filter(Boolean))];
    if (ids.length > 0) execFileSync('docker', ['rmi', '-f', ...ids], { stdio: 'ignore' });
    rmSync(repo.base, { recursive: true, force: true });
  }
}
