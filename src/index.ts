/**
 * otto-ts: deploy to, test and monitor software on machines and Docker containers.
 * This module re-exports the public API only.
 */
export * from './errors.js';
export { parseDurationMs, formatDurationMs } from './common/duration.js';
export { Deadline, waitUntil, type WaitOptions } from './common/deadline.js';
export { SYSTEM_CLOCK, type Clock } from './common/clock.js';
export type { ProgressEvent, ProgressListener } from './common/progress.js';
export { createConsoleLogger, SILENT_LOGGER, type Logger, type LogLevel } from './common/logger.js';
export {
  EngineClient,
  type EngineRequest,
  type EngineVersion,
  type ByteSource,
} from './docker/engine/engine-client.js';
export {
  resolveEngineEndpoint,
  DEFAULT_SOCKET_PATH,
  type EngineEndpoint,
} from './docker/engine/engine-endpoint.js';
export {
  ensureEngine,
  type EnsureEngineOptions,
  type EngineStatus,
} from './docker/engine/ensure-engine.js';
export {
  ensureBaseImage,
  BASE_IMAGE_KINDS,
  type BaseImageKind,
} from './docker/images/base-images.js';
export {
  ensureBusyboxImage,
  BUSYBOX_IMAGE,
  type BaseImageOptions,
} from './docker/images/busybox-image.js';
export {
  ensureDebianImage,
  debianImageRef,
  DEBIAN_RECIPE,
  type DebianRecipe,
  type DebianImageOptions,
} from './docker/images/debian-image.js';
export {
  ensureCachedImage,
  recipeTag,
  type CachedImage,
  type EnsureCachedImageOptions,
} from './docker/images/cached-image.js';
export {
  ensureImageFromDirectory,
  type DirectoryImageOptions,
} from './docker/images/directory-image.js';
export {
  inspectImage,
  removeImage,
  tagImage,
  buildImage,
  importImage,
  type ImageInfo,
} from './docker/images/image-api.js';
export {
  runContainer,
  type RunContainerOptions,
  type ContainerRunResult,
} from './docker/containers/run-container.js';
export { ownershipLabels, OWNER_LABEL, OWNER_VALUE, RUN_ID } from './docker/labels.js';
