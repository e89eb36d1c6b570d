import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterMemory } from './counter-memory.js';
import { dfParser, parseDf } from './df-parser.js';

const sample = (name: string): string =>
  readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8');
const parse = (output: string) => dfParser.parse(output, new CounterMemory().contextFor('web1', 0));
const mounts = (output: string): string[] => parse(output).map((reading) => reading.key);

describe('df parser', () => {
  it('reads use % of real mounts, as used of used + available, pseudo file systems left out', () => {
    expect(parse(sample('local/df.1.txt'))).toEqual([
      {
        key: 'df./',
        label: '/',
        labels: { mount: '/', filesystem: '/dev/vda' },
        value: (25680968 / (25680968 + 80709944)) * 100,
        detail: { usedBytes: 25680968 * 1024, availableBytes: 80709944 * 1024 },
      },
    ]);
  });

  it('keeps a mount point with spaces whole', () => {
    const readings = parse(sample('local/df-mount-with-space.txt'));
    expect(readings.map((reading) => reading.key)).toEqual(['df./', 'df./tmp/a13/my disk']);
    expect(readings[1]).toMatchObject({
      label: '/tmp/a13/my disk',
      labels: { mount: '/tmp/a13/my disk', filesystem: '/dev/loop0' },
      value: (14 / (14 + 7221)) * 100,
    });
  });

  it("keeps a container's overlay root, and each file system once (busybox lists bind mounts)", () => {
    // busybox: overlay /, then /dev/vda at /c, /etc/resolv.conf, /etc/hostname and /etc/hosts.
    expect(mounts(sample('busybox/df.2.txt'))).toEqual(['df./', 'df./c']);
    expect(mounts(sample('bookworm/df.1.txt'))).toEqual(['df./', 'df./c']);
    expect(mounts(sample('local/busybox-df-unreadable.txt'))).toEqual(['df./']);
  });

  it('reads what df printed when a mount is unreadable (df leaves it out)', () => {
    expect(mounts(sample('local/df-unreadable.txt'))).toEqual(['df./']);
  });

  it('leaves out the header, malformed lines and file systems of size zero', () => {
    const output =
      'Filesystem 1024-blocks Used Available Capacity Mounted on\n' +
      '/dev/sdb1 0 0 0 0% /empty\n/dev/sdc1 - - - - /gone\nmap auto home 100 40 60 40% /home\n';
    expect(parseDf(output)).toEqual([
      { filesystem: '/dev/sdb1', sizeKib: 0, usedKib: 0, availableKib: 0, mount: '/empty' },
      { filesystem: 'map auto home', sizeKib: 100, usedKib: 40, availableKib: 60, mount: '/home' },
    ]);
    expect(mounts(output)).toEqual(['df./home']);
  });

  it('runs df -kP', () => {
    expect(dfParser.command).toBe('df -kP');
  });
});
