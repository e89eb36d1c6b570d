// `npm run bench -- docker`: the Docker-in-labs figures, each side by side with the tool people
// would otherwise use: container hosts usable after `otto docker up` next to `docker-compose up -d`,
// a build whose content hash exists next to a fully cached `docker build`, and the time until a
// SIGKILLed process's containers, networks and volumes are gone.
export async function run() {
  for (const part of ['./docker-compose.mjs', './docker-build.mjs', './docker-reaper.mjs']) {
    const { run: runPart } = await import(part);
    await runPart();
  }
}
