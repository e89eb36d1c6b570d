import type { extract, pack } from 'tar-stream';

/** The parts of tar-stream we use. */
export interface TarStreamApi {
  pack: typeof pack;
  extract: typeof extract;
}

/**
 * tar-stream, loaded on first use: about 7 MiB of memory that a process which never builds an
 * image nor moves files to a container should not carry. It is CommonJS, so its default export
 * (module.exports) is the reliable one under Node's ESM loader.
 */
export function loadTarStream(): Promise<TarStreamApi> {
  return import('tar-stream').then((module) => module.default);
}
