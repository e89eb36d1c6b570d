// Child process of the fixtures RSS benchmark: starts what its first argument names (20 container
// fixtures, or 20 testcontainers, each with a published port and its readiness wait), prints its
// RSS in bytes after a GC, then removes them. Runs on plain node against dist/ so that no
// TypeScript loader weighs on the figure. The otto holder loads the fixture start and the engine
// client, not `otto-ts/vitest`: a test process has Vitest loaded in any case.
const [what, countText = '20', image = 'otto/busybox:latest'] = process.argv.slice(2);
const count = Number(countText);
const WEB = { image, command: ['httpd', '-f', '-p', '8080'] };
const BENCH_LABEL = { 'otto.bench': 'fixtures' };

async function startAll() {
  if (what === 'bare') return { held: [], stop: async () => undefined };
  if (what === 'otto') {
    const { EngineClient } = await import('../dist/docker/engine/engine-client.js');
    const { startContainerFixture } = await import('../dist/fixtures/start-container.js');
    const engine = EngineClient.fromEnvironment();
    const spec = { ...WEB, ports: { '8080/tcp': null } };
    const held = await Promise.allSettled(
      Array.from({ length: count }, () => startContainerFixture(engine, spec)),
    );
    return { held, stop: (container) => container.stop(), close: () => engine.close() };
  }
  if (what === 'testcontainers') {
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    const { GenericContainer } = await import('testcontainers');
    const held = await Promise.allSettled(
      Array.from({ length: count }, () =>
        new GenericContainer(image)
          .withCommand(WEB.command)
          .withExposedPorts(8080)
          .withLabels(BENCH_LABEL)
          .start(),
      ),
    );
    return { held, stop: (container) => container.stop() };
  }
  throw new Error(`unknown holder ${what}`);
}

const { held, stop, close } = await startAll();
const failed = held.filter((result) => result.status === 'rejected');
let rss = 0;
if (failed.length === 0) {
  // Let the readiness waits' sockets and timers settle before the figure.
  await new Promise((resolve) => setTimeout(resolve, 500));
  globalThis.gc?.();
  rss = process.memoryUsage().rss;
}
await Promise.all(
  held.filter((result) => result.status === 'fulfilled').map((result) => stop(result.value)),
);
await close?.();
if (failed.length > 0) {
  console.error(`${failed.length} of ${count} ${what} starts failed: ${failed[0].reason?.stack}`);
  process.exit(1);
}
process.stdout.write(`${rss}\n`);
process.exit(0);
