// The start parts of the fixtures benchmark: one container fixture without ports, one with a
// published port until it answers, and 20 in parallel, each beside bare Engine API calls (the
// same create body, our labels left out) and testcontainers 12 (Ryuk off, the local image).
import { EngineClient } from '../src/docker/engine/engine-client.ts';
import { toCreateBody } from '../src/docker/containers/container-spec.ts';
import type { ContainerFixtureSpec } from '../src/fixtures/resource-specs.ts';
import { planContainerStart } from '../src/fixtures/start-container-plan.ts';
import { startContainerFixture } from '../src/fixtures/start-container.ts';
import { median } from './lib.mjs';
import { comparePaired } from './fixtures-paired.mts';
import {
  BENCH_LABEL,
  getUntilAnswered,
  rawCreateAndStart,
  rawHostPort,
  rawRemove,
} from './fixtures-raw.mts';

const IMAGE = 'otto/busybox:latest';
const SLEEPER: ContainerFixtureSpec = { image: IMAGE, command: ['sleep', '600'] };
const WEB: ContainerFixtureSpec = {
  image: IMAGE,
  command: ['httpd', '-f', '-p', '8080'],
  ports: { '8080/tcp': null },
};
const PARALLEL = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const PARALLEL_ROUNDS = Number(process.env.BENCH_PARALLEL_ROUNDS ?? 5);

type StartedTc = { stop(): Promise<unknown>; getMappedPort(port: number): number };

/** The create body otto sends for a spec, with our ownership labels swapped for the bench label. */
function rawBodyOf(spec: ContainerFixtureSpec): Record<string, unknown> {
  return { ...toCreateBody(planContainerStart(spec).container), Labels: { ...BENCH_LABEL } };
}

async function loadTestcontainers() {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { GenericContainer } = await import('testcontainers');
  return (spec: ContainerFixtureSpec, exposed: number[] = []): Promise<StartedTc> =>
    new GenericContainer(spec.image)
      .withCommand(spec.command ?? [])
      .withExposedPorts(...exposed)
      .withLabels({ ...BENCH_LABEL })
      .start();
}

type TcStart = Awaited<ReturnType<typeof loadTestcontainers>>;

/** Part 1: one container, no ports; the timed part includes its removal. */
async function benchSingle(engine: EngineClient, startTc: TcStart): Promise<void> {
  const body = rawBodyOf(SLEEPER);
  await comparePaired(
    'container fixture, no ports: start + stop',
    [
      {
        name: 'raw Engine API: create, start, remove (force)',
        run: async () => rawRemove(await rawCreateAndStart(body)),
      },
      {
        name: 'otto startContainerFixture + stop()',
        run: async () => (await startContainerFixture(engine, SLEEPER)).stop(),
      },
      {
        name: 'testcontainers GenericContainer.start() + stop()',
        run: async () => (await startTc(SLEEPER)).stop(),
      },
    ],
    { rounds: ROUNDS, warmup: 2 },
  );
}

/**
 * A contender that starts something per round (timed) and tears down the previous round's thing
 * in `prepare` (untimed by compare, timed here and reported apart). `start` resolves to the thing
 * and the number of GETs that failed after it said it was ready.
 */
function withTeardown<T>(
  name: string,
  start: () => Promise<[T, number]>,
  stop: (held: T) => Promise<unknown>,
) {
  let held: T | undefined;
  const teardownMs: number[] = [];
  const failedGets: number[] = [];
  const release = async (): Promise<void> => {
    if (held === undefined) return;
    const startMs = performance.now();
    await stop(held);
    teardownMs.push(performance.now() - startMs);
    held = undefined;
  };
  const run = async (): Promise<void> => {
    const [thing, failed] = await start();
    held = thing;
    failedGets.push(failed);
  };
  return { name, prepare: release, run, release, teardownMs, failedGets };
}

/** Part 2: a published port, until a GET gets an answer; teardown apart. */
async function benchPort(engine: EngineClient, startTc: TcStart): Promise<void> {
  const body = rawBodyOf(WEB);
  const contenders = [
    withTeardown(
      'raw Engine API: create, start, inspect, GET every 5 ms until answered',
      async () => {
        const id = await rawCreateAndStart(body);
        await getUntilAnswered(await rawHostPort(id, '8080/tcp'));
        return [id, 0];
      },
      rawRemove,
    ),
    withTeardown(
      'otto startContainerFixture (default port probe), then a GET',
      async () => {
        const web = await startContainerFixture(engine, WEB);
        // The published port, as for the others: getAddr() would give the container's own
        // address here, since this machine is itself a container (/.dockerenv).
        return [web, (await getUntilAnswered(web.hostPort(8080))) - 1];
      },
      (web) => web.stop(),
    ),
    withTeardown(
      'testcontainers withExposedPorts(8080) (default wait), then a GET',
      async () => {
        const tc = await startTc(WEB, [8080]);
        return [tc, (await getUntilAnswered(tc.getMappedPort(8080))) - 1];
      },
      (tc) => tc.stop(),
    ),
  ];
  try {
    const title = 'container fixture, published port: start until a GET answers';
    await comparePaired(title, contenders, { rounds: ROUNDS, warmup: 2 });
  } finally {
    for (const contender of contenders) await contender.release();
  }
  console.log('\n| contender | teardown, median (untimed above) | GETs failed after "ready" |');
  console.log('|---|---:|---:|');
  for (const contender of contenders) {
    const failed = contender === contenders[0] ? '—' : String(sum(contender.failedGets));
    console.log(
      `| ${contender.name} | ${median(contender.teardownMs).toFixed(0)} ms | ${failed} |`,
    );
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Part 3: 20 started at once, then 20 stopped at once; both timed. */
async function benchParallel(engine: EngineClient, startTc: TcStart): Promise<void> {
  const body = rawBodyOf(SLEEPER);
  const inParallel = <T,>(make: () => Promise<T>) =>
    Promise.all(Array.from({ length: PARALLEL }, make));
  await comparePaired(
    `${PARALLEL} container fixtures in parallel: start all, then stop all`,
    [
      {
        name: `raw Engine API: ${PARALLEL} create + start, then ${PARALLEL} removes`,
        run: async () =>
          Promise.all((await inParallel(() => rawCreateAndStart(body))).map(rawRemove)),
      },
      {
        name: `otto: ${PARALLEL} startContainerFixture, then ${PARALLEL} stop()`,
        run: async () =>
          Promise.all(
            (await inParallel(() => startContainerFixture(engine, SLEEPER))).map((c) => c.stop()),
          ),
      },
      {
        name: `testcontainers: ${PARALLEL} start(), then ${PARALLEL} stop()`,
        run: async () =>
          Promise.all((await inParallel(() => startTc(SLEEPER))).map((c) => c.stop())),
      },
    ],
    { rounds: PARALLEL_ROUNDS, warmup: 1 },
  );
}

/** Runs the parts named in `parts` (single, port, parallel). */
export async function benchFixtureStarts(parts: readonly string[]): Promise<void> {
  const engine = EngineClient.fromEnvironment();
  const startTc = await loadTestcontainers();
  try {
    const benches = { single: benchSingle, port: benchPort, parallel: benchParallel };
    for (const [part, bench] of Object.entries(benches)) {
      if (!parts.includes(part)) continue;
      const startMs = performance.now();
      await bench(engine, startTc);
      console.log(`\n(${part}: ${((performance.now() - startMs) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await engine.close();
  }
}
