import { formatDurationMs } from '../../common/duration.js';
import { EngineClient } from '../../docker/engine/engine-client.js';
import { ensureBaseImage, type BaseImageKind } from '../../docker/images/base-images.js';
import { createProgressPrinter } from '../progress-printer.js';

/** Options of `otto image base`. */
export interface ImageBaseFlags {
  force?: boolean;
  mirror?: string;
}

/** `otto image base <busybox|debian>`: build a base image offline, or confirm it exists. */
export async function imageBaseCommand(
  kind: BaseImageKind,
  flags: ImageBaseFlags,
): Promise<number> {
  const progress = createProgressPrinter();
  const engine = EngineClient.fromEnvironment();
  const image = await ensureBaseImage(engine, kind, {
    force: flags.force,
    mirror: flags.mirror,
    onProgress: progress,
  }).finally(() => progress.done());
  const what = image.built
    ? `built in ${formatDurationMs(image.durationMs)}`
    : `up to date (${image.recipeRef})`;
  console.log(`${image.ref} ${image.id.slice(7, 19)}: ${what}.`);
  return 0;
}
