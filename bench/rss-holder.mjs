// Child process of the RSS benchmark: holds what its first argument names, then prints its RSS in
// bytes. Runs on plain node against dist/ so that no TypeScript loader weighs on the figure.
const [what, ...ids] = process.argv.slice(2);

async function hold() {
  if (what === 'bare') return [];
  if (what === 'otto') {
    const { ContainerHost } = await import('../dist/index.js');
    const hosts = ids.map((id) => new ContainerHost(id, { log: false }));
    await Promise.all(hosts.map((host) => host.run('true')));
    return hosts;
  }
  if (what === 'testcontainers') {
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    const { GenericContainer } = await import('testcontainers');
    const started = [];
    for (let index = 0; index < ids.length; index++) {
      started.push(await new GenericContainer(ids[0]).withCommand(['sleep', '3600']).start());
    }
    await Promise.all(started.map((container) => container.exec(['true'])));
    return started;
  }
  throw new Error(`unknown holder ${what}`);
}

const held = await hold();
await new Promise((resolve) => setTimeout(resolve, 500));
globalThis.gc?.();
process.stdout.write(`${process.memoryUsage().rss}\n`);
await Promise.all(held.map((item) => (item.close ? item.close() : item.stop())));
process.exit(0);
