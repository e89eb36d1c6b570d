// Child process of the hosts benchmark: 64 MiB put and get with a container, otto-ts against
// `docker cp`. Runs on plain node against dist/, as users run the package: under a TypeScript
// loader the same code measured 15-25% slower.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerHost } from '../dist/index.js';
import { compare } from './lib.mjs';

const [containerId] = process.argv.slice(2);
const docker = (...args) => execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const host = new ContainerHost(containerId, { log: false });
const dir = mkdtempSync(join(tmpdir(), 'otto-bench-transfer-'));
const file = join(dir, 'payload.bin');
writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 0x5a));
for (const name of ['otto', 'cli']) mkdirSync(join(dir, 'down', name), { recursive: true });
await host.run('mkdir -p /tmp/in-otto /tmp/in-cli');
await compare(
  'container: 64 MiB put',
  [
    {
      name: 'docker cp (into the container)',
      run: async () => void docker('cp', file, `${containerId}:/tmp/in-cli/`),
    },
    { name: 'otto ContainerHost.put', run: () => host.put([file], '/tmp/in-otto') },
  ],
  { rounds: 15, warmup: 2 },
);
await compare(
  'container: 64 MiB get',
  [
    {
      name: 'docker cp (out of the container)',
      run: async () =>
        void docker('cp', `${containerId}:/tmp/in-cli/payload.bin`, join(dir, 'down', 'cli')),
    },
    {
      name: 'otto ContainerHost.get',
      run: () => host.get(['/tmp/in-otto/payload.bin'], join(dir, 'down', 'otto')),
    },
  ],
  { rounds: 15, warmup: 2 },
);
await host.close();
