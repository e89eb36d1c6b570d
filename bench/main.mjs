// `npm run bench -- <name...>`: runs the named benchmarks (all when none is named).
const BENCHMARKS = ['images'];

const names = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = names.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark ${unknown.join(', ')}: expected one of ${BENCHMARKS.join(', ')}.`,
  );
  process.exit(2);
}
for (const name of names.length > 0 ? names : BENCHMARKS) {
  const { run } = await import(`./${name}.mjs`);
  await run();
}
