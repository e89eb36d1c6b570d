import type { TestProject } from 'vitest/node';
import { createProgressPrinter } from '../../src/cli/progress-printer.js';
import { formatDurationMs } from '../../src/common/duration.js';
import { ensureEngine } from '../../src/docker/engine/ensure-engine.js';
import { EngineClient } from '../../src/docker/engine/engine-client.js';
import { ensureTestbedImages } from './testbed-images.js';
import './provided-context.js';

/**
 * Runs once before the integration tests: makes sure an engine answers (installing and starting
 * one on a fresh Debian machine) and that every test bed image exists, built offline and cached
 * by recipe hash, so a machine that has them spends well under a second here.
 */
export default async function setup(project: TestProject): Promise<void> {
  const log = (message: string): void =>
    void process.stderr.write(`[integration setup] ${message}\n`);
  const progress = createProgressPrinter();
  const engine = await ensureEngine({ onProgress: progress });
  progress.done();
  log(
    `engine ${engine.version} at ${engine.endpoint} (${engine.wasRunning ? 'was running' : 'started'})`,
  );
  const { images, built } = await ensureTestbedImages(EngineClient.fromEnvironment(), progress);
  progress.done();
  for (const image of built) {
    log(
      `${image.ref}: ${image.built ? `built in ${formatDurationMs(image.durationMs)}` : 'up to date'}`,
    );
  }
  project.provide('images', images);
}
