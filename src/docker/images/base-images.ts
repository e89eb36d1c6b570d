import { ConfigError } from '../../errors.js';
import type { EngineClient } from '../engine/engine-client.js';
import { ensureBusyboxImage } from './busybox-image.js';
import type { CachedImage } from './cached-image.js';
import { ensureDebianImage, type DebianImageOptions } from './debian-image.js';

/** The base images otto-ts builds from local material, with no registry. */
export const BASE_IMAGE_KINDS = ['busybox', 'debian'] as const;
/** A base image otto-ts builds offline: `busybox` or `debian`. */
export type BaseImageKind = (typeof BASE_IMAGE_KINDS)[number];

/**
 * Makes sure a base image exists, building it offline when needed: `busybox` (seconds) or
 * `debian` (debootstrap, about a minute the first time). A second call is a no-op.
 * @example const { ref } = await ensureBaseImage(engine, 'busybox'); // 'otto/busybox:latest'
 */
export function ensureBaseImage(
  engine: EngineClient,
  kind: BaseImageKind,
  options: DebianImageOptions = {},
): Promise<CachedImage> {
  if (kind === 'busybox') return ensureBusyboxImage(engine, options);
  if (kind === 'debian') return ensureDebianImage(engine, options);
  throw new ConfigError(
    'UNKNOWN_BASE_IMAGE',
    `Unknown base image "${String(kind)}": expected one of ${BASE_IMAGE_KINDS.join(', ')}.`,
  );
}
