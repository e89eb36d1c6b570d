import { fileURLToPath } from 'node:url';
import { waitUntil } from '../../common/deadline.js';
import { formatDurationMs } from '../../common/duration.js';
import { runContainer } from '../../docker/containers/run-container.js';
import { ensureEngine } from '../../docker/engine/ensure-engine.js';
import { EngineClient } from '../../docker/engine/engine-client.js';
import { ensureBaseImage } from '../../docker/images/base-images.js';
import { composeStack } from '../../lab/compose-stacks.js';
import { buildRepoImages } from '../../lab/repo-images.js';
import { readRepo } from '../../lab/settings.js';
import { createProgressPrinter } from '../progress-printer.js';

/** The built-in demo project: an image built from a folder and a compose stack of two services. */
export const DEMO_PROJECT_DIR = fileURLToPath(new URL('../../../demo/project', import.meta.url));

/**
 * `otto demo`: the built-in demo. Ensures the engine, builds both base images offline, runs
 * commands in containers of them through the Engine API, then runs the demo project: builds its
 * image (skipped when its content hash exists), starts its compose stack, reaches the web service
 * from the client service's host, and takes the stack down again.
 */
export async function demoCommand(): Promise<number> {
  const progress = createProgressPrinter();
  try {
    const engine = await ensureEngine({ onProgress: progress });
    progress.done();
    console.log(
      `engine   Docker ${engine.version} at ${engine.endpoint} (${engine.wasRunning ? 'was running' : 'started'})`,
    );
    const client = EngineClient.fromEnvironment();
    for (const kind of ['busybox', 'debian'] as const) {
      const image = await ensureBaseImage(client, kind, { onProgress: progress });
      progress.done();
      console.log(
        `image    ${image.ref} ${image.built ? `built in ${formatDurationMs(image.durationMs)}` : 'up to date'}`,
      );
    }
    const busybox = await runContainer(client, {
      image: 'otto/busybox',
      cmd: ['sh', '-c', 'id; ls /usr/bin/env; bash -c "echo ok"'],
      purpose: 'demo',
    });
    console.log(`busybox  exit ${busybox.exitCode}:\n${indent(busybox.stdout)}`);
    const debian = await runContainer(client, {
      image: 'otto/debian:bookworm',
      cmd: ['bash', '-c', 'echo "Debian $(cat /etc/debian_version) on kernel $(uname -r)"'],
      purpose: 'demo',
    });
    console.log(`debian   exit ${debian.exitCode}:\n${indent(debian.stdout)}`);
    const stackOk = await runDemoProject(client, progress);
    return busybox.exitCode === 0 && debian.exitCode === 0 && stackOk ? 0 : 1;
  } finally {
    progress.done();
  }
}

/** The demo project's image and stack; the stack is removed even if this process dies. */
async function runDemoProject(
  client: EngineClient,
  progress: ReturnType<typeof createProgressPrinter>,
): Promise<boolean> {
  const repo = await readRepo(DEMO_PROJECT_DIR);
  for (const image of await buildRepoImages(client, repo, { onProgress: progress })) {
    progress.done();
    console.log(
      `image    ${image.ref} ${image.built ? `built in ${formatDurationMs(image.durationMs)}` : `up to date (${image.hashTag})`}`,
    );
  }
  const startMs = performance.now();
  await using stack = await composeStack({ repo, build: false });
  const hosts = stack.hosts.map((host) => host.id).join(', ');
  console.log(
    `stack    ${stack.project} ${stack.alreadyUp ? 'already up' : `up in ${formatDurationMs(performance.now() - startMs)}`}: ${hosts}`,
  );
  // The web server may still be starting: ask until it answers.
  const page = await waitUntil(
    async () => {
      const result = await stack.services.client!.run('wget -qO- http://web:8080/');
      return result.status === 'success' ? result.only().output : undefined;
    },
    { timeoutMs: 10_000, what: 'the demo web service to answer' },
  );
  console.log(`client   wget http://web:8080/:\n${indent(page)}`);
  return true;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
