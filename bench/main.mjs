// `npm run bench -- <name...>`: runs the named benchmarks (all when none is named), through tsx
// so that benchmarks can use the sources and the test bed helpers directly.
const BENCHMARKS = {
  images: './images.mjs',
  hosts: './hosts.mts',
  cli: './cli.mjs',
  docker: './docker.mjs',
  suites: './suites.mjs',
  fixtures: './fixtures.mjs',
  monitor: './monitor.mts',
  telnet: './telnet.mts',
};

const names = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = names.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark ${unknown.join(', ')}: expected one of ${Object.keys(BENCHMARKS).join(', ')}.`,
  );
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
  const { run } = await import(BENCHMARKS[name]);
  await run();
}
