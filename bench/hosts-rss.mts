// Memory: RSS of a process holding 20 container hosts with open sessions, beside a bare node
// process and testcontainers holding 20 started containers (each after one exec).
import { execFileSync } from 'node:child_process';
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import { ensureBaseImage } from '../src/docker/images/base-images.ts';
import { StartedContainer } from '../src/docker/containers/started-container.ts';
import { median } from './lib.mjs';

const HOSTS = 20;
const ROUNDS = 3;

function measure(what: string, args: string[]): number {
  const out = execFileSync(
    process.execPath.endsWith('node') ? process.execPath : 'node',
    ['--expose-gc', 'bench/rss-holder.mjs', what, ...args],
    { encoding: 'utf8' },
  );
  return Number(out.trim().split('\n').pop()) / 1024 / 1024;
}

export async function benchRss(): Promise<void> {
  const engine = EngineClient.fromEnvironment();
  const image = (await ensureBaseImage(engine, 'busybox')).ref;
  const containers = await Promise.all(
    Array.from({ length: HOSTS }, () =>
      StartedContainer.start(engine, { image, cmd: ['sleep', '3600'], purpose: 'bench' }),
    ),
  );
  const ids = containers.map((container) => container.id);
  const samples: Record<string, number[]> = { bare: [], otto: [], testcontainers: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      samples.bare!.push(measure('bare', []));
      samples.otto!.push(measure('otto', ids));
      samples.testcontainers!.push(
        measure(
          'testcontainers',
          Array.from({ length: HOSTS }, () => image),
        ),
      );
    }
  } finally {
    await Promise.all(containers.map((container) => container.stop()));
  }
  const base = median(samples.bare!);
  console.log(
    `\n### memory: RSS holding ${HOSTS} containers (${ROUNDS} rounds, node --expose-gc, after gc)\n`,
  );
  console.log('| contender | median RSS | above bare node |\n|---|---:|---:|');
  const names: Record<string, string> = {
    bare: 'bare node process',
    otto: `otto: ${HOSTS} ContainerHosts, each with an open session`,
    testcontainers: `testcontainers: ${HOSTS} started containers`,
  };
  for (const [key, values] of Object.entries(samples))
    console.log(
      `| ${names[key]} | ${median(values).toFixed(1)} MiB | ${(median(values) - base).toFixed(1)} MiB |`,
    );
}
