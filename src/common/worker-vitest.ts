import type * as Vitest from 'vitest';

/** The Vitest API of the worker that runs the tests. */
export type WorkerVitest = typeof Vitest;

/**
 * The Vitest API of this worker, or undefined outside one (in `otto test`'s own process, which
 * only reads the declarations). Vitest puts its namespace on each worker as `__vitest_index__`
 * (what `import.meta.vitest` gives in-source tests); reading it instead of importing `vitest`
 * keeps otto-ts's entry point from loading Vitest into every otto process (about 90 ms).
 */
export function workerVitest(): WorkerVitest | undefined {
  return (globalThis as { __vitest_index__?: WorkerVitest }).__vitest_index__;
}
