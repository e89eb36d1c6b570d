// Images: what a cached ("no-op") base image costs with otto-ts against the docker CLI doing the
// nearest equivalent (a fully cached `docker build`, and a bare `docker image inspect`), and what a
// fresh busybox base image costs against `docker import` of the very same root file system.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EngineClient, ensureBaseImage, ensureBusyboxImage } from '../src/index.ts';
import { busyboxRootfs } from '../src/docker/images/busybox-image.ts';
import { packRootfs } from '../src/docker/images/rootfs-tar.ts';
import { compare } from './lib.mjs';

const docker = (...args) => execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });

export async function run() {
  const engine = EngineClient.fromEnvironment();
  await ensureBaseImage(engine, 'busybox');
  await ensureBaseImage(engine, 'debian');
  const dir = mkdtempSync(join(tmpdir(), 'otto-bench-images-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM otto/busybox:latest\nRUN echo cached > /cached\n');
  docker('build', '-q', '-t', 'otto-bench/cached:latest', dir);

  await compare('no-op: base image already built', [
    { name: 'otto ensureBaseImage(busybox)', run: () => ensureBaseImage(engine, 'busybox') },
    { name: 'otto ensureBaseImage(debian)', run: () => ensureBaseImage(engine, 'debian') },
    {
      name: 'docker build (every step cached)',
      run: async () => docker('build', '-q', '-t', 'otto-bench/cached:latest', dir),
    },
    {
      name: 'docker image inspect',
      run: async () => docker('image', 'inspect', 'otto/busybox:latest'),
    },
  ]);

  const binary = readFileSync('/bin/busybox');
  const applets = execFileSync('/bin/busybox', ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  const tarPath = join(dir, 'rootfs.tar');
  await pipeline(await packRootfs(busyboxRootfs(binary, applets)), createWriteStream(tarPath));
  const imported = [];
  await compare(
    'fresh busybox image (build, import, tag)',
    [
      {
        name: 'otto ensureBusyboxImage({ force })',
        run: () => ensureBusyboxImage(engine, { force: true }),
      },
      {
        name: 'docker import (same tar, prebuilt)',
        run: async () => imported.push(String(docker('import', tarPath)).trim()),
      },
    ],
    { rounds: 7, warmup: 1 },
  );
  docker('image', 'rm', '-f', 'otto-bench/cached:latest', ...imported);
}
