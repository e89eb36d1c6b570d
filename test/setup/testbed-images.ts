import { fileURLToPath } from 'node:url';
import type { ProgressListener } from '../../src/common/progress.js';
import type { EngineClient } from '../../src/docker/engine/engine-client.js';
import { ensureBaseImage } from '../../src/docker/images/base-images.js';
import type { CachedImage } from '../../src/docker/images/cached-image.js';
import { ensureImageFromDirectory } from '../../src/docker/images/directory-image.js';

/** References of the images integration tests use, provided to every test file. */
export interface TestbedImages {
  busybox: string;
  debian: string;
  /** Debian with sshd, sudo, vsftpd, busybox telnetd and netcat; see test/images/testbed-debian. */
  testbed: string;
}

export const TESTBED_IMAGE = 'otto-test/testbed-debian:latest';

/** Builds (or finds, by recipe hash) every image the integration tests need. */
export async function ensureTestbedImages(
  engine: EngineClient,
  onProgress?: ProgressListener,
): Promise<{ images: TestbedImages; built: CachedImage[] }> {
  const busybox = await ensureBaseImage(engine, 'busybox', { onProgress });
  const debian = await ensureBaseImage(engine, 'debian', { onProgress });
  const testbed = await ensureImageFromDirectory(engine, {
    contextDir: fileURLToPath(new URL('../images/testbed-debian', import.meta.url)),
    ref: TESTBED_IMAGE,
    onProgress,
  });
  return {
    images: { busybox: busybox.ref, debian: debian.ref, testbed: testbed.ref },
    built: [busybox, debian, testbed],
  };
}
