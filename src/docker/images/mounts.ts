import { readFile } from 'node:fs/promises';
import { runChild } from '../../common/child-process.js';

/**
 * debootstrap mounts /proc and /sys inside its target while it installs, and can leave them
 * mounted when it fails. Removing such a folder recursively would reach into the machine's own
 * /proc and /sys, so every mount below `dir` is unmounted first, deepest first.
 */
export async function unmountBelow(dir: string): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const points = mounts
    .split('\n')
    .map((line) => decodeMountPath(line.split(' ')[1] ?? ''))
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await runChild('umount', ['-l', point], { check: false });
}

function decodeMountPath(path: string): string {
  return path.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
