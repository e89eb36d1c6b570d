import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { mkdir, writeFile } from 'node:fs/promises';

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEBIAN_MIRROR,
  findDebianMirror,
  mirrorFromDeb822,
  mirrorFromList,
} from './debian-mirror.js';

describe('mirror parsing', () => {
  it('takes the first non-security URI of a deb822 file', () => {
    const text =
      'Types: deb\nURIs: http://security.debian.org/debian-security\n\nTypes: deb\nURIs: http://mirror.local/debian\n';
    expect(mirrorFromDeb822(text)).toBe('http://mirror.local/debian');
  });

  it('takes the first non-security deb line of a list file, options and all', () => {
    const text =
      '# comment\ndeb-src http://x/debian bookworm main\ndeb [arch=amd64] http://mirror.local/debian bookworm main\n';
    expect(mirrorFromList(text)).toBe('http://mirror.local/debian');
  });
});

describe('findDebianMirror', () => {
  it('reads sources.list.d and falls back to the default', async () => {
    const apt = await makeTempDir('otto-apt-');
    expect(await findDebianMirror(apt)).toBe(DEFAULT_DEBIAN_MIRROR);
    await mkdir(join(apt, 'sources.list.d'));
    await writeFile(
      join(apt, 'sources.list.d', 'debian.sources'),
      'Types: deb\nURIs: http://mirror.lab/debian\nSuites: bookworm\n',
    );
    expect(await findDebianMirror(apt)).toBe('http://mirror.lab/debian');
  });
});
