import { describe, expect, it } from 'vitest';
import { busyboxRecipeHash, busyboxRootfs } from './busybox-rootfs.js';

describe('busyboxRootfs', () => {
  const entries = busyboxRootfs(new Uint8Array([1, 2, 3]), [
    'bin/sh',
    'usr/bin/env',
    'sbin/ip',
    'bin/busybox',
    'bin/bash',
  ]);
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));

  it('links every applet at its canonical path to the binary', () => {
    expect(byPath.get('/bin/sh')).toEqual({
      kind: 'symlink',
      path: '/bin/sh',
      target: '/bin/busybox',
    });
    expect(byPath.get('/usr/bin/env')).toEqual({
      kind: 'symlink',
      path: '/usr/bin/env',
      target: '/bin/busybox',
    });
    expect(byPath.get('/bin/busybox')).toMatchObject({ kind: 'file', mode: 0o755 });
  });

  it('has a bash shim, users and the usual folders with their modes', () => {
    expect(byPath.get('/bin/bash')).toEqual({
      kind: 'file',
      path: '/bin/bash',
      mode: 0o755,
      content: '#!/bin/sh\nexec /bin/sh "$@"\n',
    });
    expect(byPath.get('/etc/passwd')).toMatchObject({
      content:
        'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    });
    expect(byPath.get('/etc/group')).toMatchObject({ content: 'root:x:0:\nnogroup:x:65534:\n' });
    expect(byPath.get('/tmp')).toEqual({ kind: 'dir', path: '/tmp', mode: 0o1777 });
    for (const dir of ['/var/log', '/var/lib', '/root', '/home', '/run', '/usr/sbin'])
      expect(byPath.get(dir)?.kind).toBe('dir');
  });

  it('writes each path once', () => {
    expect(new Set(entries.map((entry) => entry.path)).size).toBe(entries.length);
  });
});

describe('busyboxRecipeHash', () => {
  const binary = new Uint8Array([1, 2, 3]);

  it('is the same for the same binary and applets, and differs when either changes', () => {
    const hash = busyboxRecipeHash(binary, ['bin/sh', 'bin/ls']);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(busyboxRecipeHash(new Uint8Array([1, 2, 3]), ['bin/sh', 'bin/ls'])).toBe(hash);
    expect(busyboxRecipeHash(binary, ['bin/sh'])).not.toBe(hash);
    expect(busyboxRecipeHash(new Uint8Array([1, 2, 4]), ['bin/sh', 'bin/ls'])).not.toBe(hash);
  });
});
