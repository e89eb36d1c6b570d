import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/** Folders made outside a test (in a hook or at file level), removed when the file's tests end. */
const madeOutsideTests = new Set<string>();

// Registered when the test file imports this helper, so on the file's own suite: an `afterAll`
// registered later from inside a `beforeAll` would never run (that leaked every such folder).
afterAll(async () => {
  await Promise.all([...madeOutsideTests].map((dir) => rm(dir, { recursive: true, force: true })));
  madeOutsideTests.clear();
});

/**
 * A new temporary folder `<tmpdir>/<prefix>XXXXXX`, removed with everything in it when the test
 * that made it ends (or, when made in a hook or at file level, when the file's tests end).
 */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
  } catch {
    madeOutsideTests.add(dir);
  }
  return dir;
}
