// Container hosts usable after `otto docker up` (the built CLI, then `run('true')` on each
// service host through the API) next to `docker-compose up -d` alone, on the same two-service
// stack (otto/busybox sleeping, a named volume, a bind mount). Both are taken down between
// rounds, untimed. Target: within 1.1x.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare } from './lib.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const OTTO = join(DIST, 'cli/main.js');
const STACK = `services:
  web:
    image: otto/busybox:latest
    command: ["sleep", "3600"]
    volumes: ["./site:/srv/site:ro", "cache:/cache"]
  worker:
    image: otto/busybox:latest
    command: ["sleep", "3600"]
volumes:
  cache: {}
`;

function exec(file, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${file} ${args.join(' ')}: exit ${code}\n${stderr}`)),
    );
  });
}

async function makeRepo() {
  const base = await mkdtemp(join(tmpdir(), 'otto-bench-compose-'));
  const root = join(base, 'repo');
  await mkdir(join(root, '.otto'), { recursive: true });
  await mkdir(join(root, 'compose/site'), { recursive: true });
  await writeFile(
    join(root, '.otto/settings.toml'),
    'name = "bench"\nversion = "1.0.0"\n[[docker.composes]]\npath = "compose/stack.yml"\n',
  );
  await writeFile(join(root, 'compose/stack.yml'), STACK);
  await writeFile(join(root, 'compose/site/index.html'), 'hello\n');
  return { base, root };
}

export async function run() {
  const { base, root } = await makeRepo();
  const { readRepo } = await import(join(DIST, 'lab/settings.js'));
  const { composeUp } = await import(join(DIST, 'lab/compose-stacks.js'));
  const repo = await readRepo(root);
  const suffix = `bench${process.pid}`;
  const ottoEnv = {
    OTTO_SUT_DIRS: root,
    OTTO_XDIR: join(base, 'xdir'),
    OTTO_COMPOSE_SUFFIX: suffix,
  };
  process.env.OTTO_COMPOSE_SUFFIX = suffix;
  const file = join(root, 'compose/stack.yml');
  const plain = ['-p', `plain-${suffix}`, '-f', file];
  let open;
  try {
    await compare(
      'container hosts usable after otto docker up, vs docker-compose up -d',
      [
        {
          name: 'docker-compose up -d',
          prepare: () => exec('docker-compose', [...plain, 'down', '--timeout', '1', '-v']),
          run: () => exec('docker-compose', [...plain, 'up', '-d']),
        },
        {
          name: 'otto docker up + run true on each service host',
          // Closing the hosts (ending their shells) comes after they were usable: untimed.
          prepare: async () => {
            await open?.close();
            open = undefined;
            await exec(process.execPath, [OTTO, 'docker', 'down'], ottoEnv);
          },
          run: async () => {
            await exec(process.execPath, [OTTO, 'docker', 'up', '--no-build'], ottoEnv);
            open = await composeUp({ repo, build: false, lifetime: 'kept' });
            await Promise.all(open.hosts.map((host) => host.run('true', { check: true })));
          },
        },
      ],
      { rounds: 7, warmup: 1 },
    );
  } finally {
    await open?.close();
    await exec('docker-compose', [...plain, 'down', '--timeout', '1', '-v']).catch(() => undefined);
    await exec(process.execPath, [OTTO, 'docker', 'down'], ottoEnv).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  }
}
