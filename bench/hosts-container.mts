// The container part of the hosts benchmark.
import { execFileSync } from 'node:child_process';
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import { ensureBaseImage } from '../src/docker/images/base-images.ts';
import { StartedContainer } from '../src/docker/containers/started-container.ts';
import { ContainerHost } from '../src/hosts/container-host.ts';
import { compare } from './lib.mjs';
import { rawExec } from './contenders/raw-exec.mts';

const docker = (...args: string[]): Buffer =>
  execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });

export async function benchContainer(): Promise<void> {
  const engine = EngineClient.fromEnvironment();
  const image = (await ensureBaseImage(engine, 'debian')).ref;
  const container = await StartedContainer.start(engine, {
    image,
    cmd: ['sleep', '3600'],
    purpose: 'bench',
  });
  const host = new ContainerHost(container.id, { log: false });
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { GenericContainer } = await import('testcontainers');
  const tc = await new GenericContainer(image).withCommand(['sleep', '3600']).start();
  try {
    await host.run('true');
    await compare(
      'container: one command',
      [
        {
          name: 'raw Engine API exec (create, start, inspect)',
          run: () => rawExec(container.id, ['true']),
        },
        { name: 'otto ContainerHost.oneshot(["true"])', run: () => host.oneshot(['true']) },
        { name: 'otto ContainerHost.run("true") (persistent shell)', run: () => host.run('true') },
        { name: 'testcontainers exec(["true"])', run: () => tc.exec(['true']) },
        { name: 'docker exec CLI', run: async () => void docker('exec', container.id, 'true') },
      ],
      { rounds: 40, warmup: 5 },
    );
    await compare(
      'container: persistent shell only',
      [{ name: 'otto ContainerHost.run("true")', run: () => host.run('true') }],
      { rounds: 300, warmup: 20 },
    );
    await benchTransfers(host, container.id);
  } finally {
    await host.close();
    await tc.stop();
    await container.stop();
  }
}

/** Transfers run in a plain node child on dist/ (see container-transfers.mjs). */
async function benchTransfers(_host: ContainerHost, containerId: string): Promise<void> {
  execFileSync('node', ['bench/container-transfers.mjs', containerId], { stdio: 'inherit' });
}
