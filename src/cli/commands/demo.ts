import { formatDurationMs } from '../../common/duration.js';
import { runContainer } from '../../docker/containers/run-container.js';
import { ensureEngine } from '../../docker/engine/ensure-engine.js';
import { EngineClient } from '../../docker/engine/engine-client.js';
import { ensureBaseImage } from '../../docker/images/base-images.js';
import { createProgressPrinter } from '../progress-printer.js';

/**
 * `otto demo`: the built-in demo. Ensures the engine, builds both base images offline and runs
 * commands in containers of them through the Engine API.
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
    return busybox.exitCode === 0 && debian.exitCode === 0 ? 0 : 1;
  } finally {
    progress.done();
  }
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
