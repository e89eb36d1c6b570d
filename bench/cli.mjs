// CLI start-up: what it costs to spawn `otto` for a quick command, against `node -e 0` (the floor
// every node program pays). Each contender is one process, spawned and awaited to its exit, which
// must be 0. `--list-hosts` reads a temporary repo whose lab `big` has 500 hosts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, spawnOk } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const HOSTS = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
/**
 * Another build of the CLI to measure side by side (e.g. the commit before a change):
 * BENCH_BASELINE_CLI=/path/to/other/dist/cli/main.js npm run bench -- cli
 */
const BASELINE_CLI = process.env.BENCH_BASELINE_CLI;
/** Targets on the medians. */
const TARGETS = { help: 300, listHosts: 500 };

/** Writes a repo whose lab `big` has `count` hosts, each with its own id; returns the repo root. */
function makeRepo(count) {
  const root = mkdtempSync(join(tmpdir(), 'otto-bench-cli-'));
  mkdirSync(join(root, '.otto'));
  writeFileSync(
    join(root, '.otto', 'settings.toml'),
    'name = "bench"\nversion = "1.0.0"\nlabs = ["${sutDir}/labs/big"]\n',
  );
  const hosts = Array.from({ length: count }, (_, index) => ({
    ip: `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    ne: 'node',
    neId: Math.floor(index / 8) + 1,
    board: 'cpu',
    slot: (index % 8) + 1,
    creds: { otto: 'pw' },
    labs: ['big'],
    resources: [`rack${Math.floor(index / 50) + 1}`],
  }));
  mkdirSync(join(root, 'labs', 'big'), { recursive: true });
  writeFileSync(join(root, 'labs', 'big', 'hosts.json'), JSON.stringify(hosts, null, 2));
  return root;
}

/** Runs `node ...args` from the repository root; rejects unless it exits 0. */
function node(args, env) {
  return spawnOk(process.execPath, args, { cwd: ROOT, env });
}

export async function run() {
  // The children run on plain node, as users run the CLI: no inherited NODE_OPTIONS.
  const { NODE_OPTIONS, OTTO_SUT_DIRS, OTTO_LAB, ...base } = process.env;
  const repo = makeRepo(HOSTS);
  try {
    const labEnv = { ...base, OTTO_SUT_DIRS: repo };
    const listArgs = [CLI, '-l', 'big', '--list-hosts'];

    // Once, untimed: the listing must show every host, each once.
    const listing = (await node(listArgs, labEnv)).trimEnd().split('\n');
    const ids = new Set(listing.slice(1).map((line) => line.split(/\s+/)[0]));
    if (!/^ID\s/.test(listing[0] ?? '') || listing.length - 1 !== HOSTS || ids.size !== HOSTS) {
      throw new Error(
        `otto --list-hosts listed ${listing.length - 1} lines and ${ids.size} distinct ids, expected ${HOSTS}:\n${listing.slice(0, 5).join('\n')}`,
      );
    }
    const help = await node([CLI, '--help'], base);
    if (!help.includes('--list-hosts')) throw new Error(`otto --help printed no usage:\n${help}`);

    const rows = await compare(
      'CLI start-up: spawn, wait for exit 0',
      [
        { name: 'node -e 0', run: () => node(['-e', '0'], base) },
        { name: 'otto --help', run: () => node([CLI, '--help'], base) },
        { name: `otto -l big --list-hosts (${HOSTS} hosts)`, run: () => node(listArgs, labEnv) },
        { name: 'otto --version', run: () => node([CLI, '--version'], base) },
        ...(BASELINE_CLI
          ? [
              { name: 'baseline otto --help', run: () => node([BASELINE_CLI, '--help'], base) },
              {
                name: `baseline otto -l big --list-hosts (${HOSTS} hosts)`,
                run: () => node([BASELINE_CLI, ...listArgs.slice(1)], labEnv),
              },
            ]
          : []),
      ],
      { rounds: ROUNDS, warmup: 2 },
    );

    const floor = rows[0].medianMs;
    console.log('\n| contender | median | ratio to node -e 0 | over node |');
    console.log('|---|---:|---:|---:|');
    for (const row of rows)
      console.log(
        `| ${row.name} | ${row.medianMs.toFixed(1)} ms | ${row.ratio.toFixed(2)}x | +${(row.medianMs - floor).toFixed(1)} ms |`,
      );

    const verdicts = [
      ['otto --help', rows[1].medianMs, TARGETS.help],
      [`otto --list-hosts (${HOSTS} hosts)`, rows[2].medianMs, TARGETS.listHosts],
    ].map(
      ([name, ms, target]) =>
        `${ms < target ? 'PASS' : 'FAIL'} ${name}: median ${ms.toFixed(0)} ms, target < ${target} ms`,
    );
    console.log(`\n${verdicts.join('\n')}`);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
