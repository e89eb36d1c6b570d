import { createRequire } from 'node:module';
import type * as Zod from 'zod';

let zod: typeof Zod | undefined;

/**
 * zod, loaded on first use. Loading it (about 95 modules, its locales included) costs some
 * 9 MiB of memory in every process that imports otto-ts, which most programs that only drive
 * hosts never need: only reading labs, settings and reservation files does.
 */
export function loadZod(): typeof Zod {
  return (zod ??= createRequire(import.meta.url)('zod') as typeof Zod);
}

/** A value built on first use and kept: `const schema = lazily(() => loadZod().z.object(...))`. */
export function lazily<T>(build: () => T): () => T {
  let value: T | undefined;
  let isBuilt = false;
  return () => {
    if (!isBuilt) {
      value = build();
      isBuilt = true;
    }
    return value as T;
  };
}
