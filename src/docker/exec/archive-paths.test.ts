import { describe, expect, it } from 'vitest';
import {
  localEntryPath,
  normalizeRemotePath,
  remoteEntryPath,
  remoteParent,
  tarEntryName,
} from './archive-paths.js';

describe('archive entry naming', () => {
  it.each([
    ['/data/', '/data'],
    ['/data//tree/', '/data/tree'],
    ['/', '/'],
    ['relative/dir/', 'relative/dir'],
  ])('normalizes the container path %s to %s', (path, expected) => {
    expect(normalizeRemotePath(path)).toBe(expected);
  });

  it('names put entries after the basename, with their path below it', () => {
    expect(tarEntryName('tree')).toBe('tree');
    expect(tarEntryName('tree', 'deeper/big.bin')).toBe('tree/deeper/big.bin');
    expect(remoteEntryPath('/data/', 'tree/deeper/')).toBe('/data/tree/deeper');
  });

  it('names get entries relative to the parent of the requested path', () => {
    expect(remoteParent('/data/tree/')).toBe('/data');
    expect(remoteEntryPath(remoteParent('/data/tree'), 'tree/run.sh')).toBe('/data/tree/run.sh');
    expect(remoteParent('/notes.txt')).toBe('/');
  });

  it.each([
    ['tree/run.sh', '/out/tree/run.sh'],
    ['./tree/', '/out/tree'],
    ['tree/./deeper', '/out/tree/deeper'],
  ])('puts the received entry %s at %s', (name, expected) => {
    expect(localEntryPath('/out', name)).toBe(expected);
  });

  it.each(['/etc/passwd', '../escape', 'tree/../../escape', '', '.', './'])(
    'refuses the received entry %j',
    (name) => {
      expect(localEntryPath('/out', name)).toBeUndefined();
    },
  );

  it('refuses entries below a symbolic link extracted earlier', () => {
    const links = new Set(['/out/tree/link']);
    expect(localEntryPath('/out', 'tree/link/passwd', links)).toBeUndefined();
    expect(localEntryPath('/out', 'tree/link', links)).toBe('/out/tree/link');
    expect(localEntryPath('/out', 'tree/linked', links)).toBe('/out/tree/linked');
  });
});
