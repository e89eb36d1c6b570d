import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterMemory } from './counter-memory.js';
import { diskioParser, parseDiskstats, wholeDisks } from './diskio-parser.js';

const sample = (name: string): string =>
  readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8');

function readTicks(...outputs: string[]): Array<Record<string, number>> {
  const memory = new CounterMemory();
  return outputs.map((output, index) => {
    const readings = diskioParser.parse(output, memory.contextFor('web1', index * 1000));
    return Object.fromEntries(readings.map((reading) => [reading.key, reading.value]));
  });
}

/** A diskstats line of a device that read and wrote `sectors` sectors. */
const line = (name: string, sectors: number): string =>
  `   8       0 ${name} 10 0 ${sectors} 5 10 0 ${sectors} 5 0 10 10 0 0 0 0 0 0`;

describe('diskio parser', () => {
  it('reads read and write bytes/s of whole disks from two samples, loop devices left out', () => {
    const [first, second] = readTicks(
      sample('local/diskstats.1.txt'),
      sample('local/diskstats.2.txt'),
    );
    expect(first).toEqual({});
    // vda: 16 sectors read, 410792 written, of 512 bytes, in one second; loop0 was used too.
    expect(second).toEqual({ 'disk.vda.read': 16 * 512, 'disk.vda.write': 410_792 * 512 });
  });

  it('labels each series with its disk', () => {
    const memory = new CounterMemory();
    diskioParser.parse(sample('bookworm/diskstats.1.txt'), memory.contextFor('web1', 0));
    const readings = diskioParser.parse(
      sample('bookworm/diskstats.2.txt'),
      memory.contextFor('web1', 2000),
    );
    expect(readings).toEqual([
      { key: 'disk.vda.read', label: 'vda read', labels: { disk: 'vda' }, value: (144 * 512) / 2 },
      { key: 'disk.vda.write', label: 'vda write', labels: { disk: 'vda' }, value: 0 },
    ]);
  });

  it('leaves out partitions of listed disks, and devices that are no disks', () => {
    const names = [
      'sda',
      'sda1',
      'sda10',
      'nvme0n1',
      'nvme0n1p1',
      'mmcblk0',
      'mmcblk0p1',
      'mmcblk0boot0',
      'xvdb1',
      'dm-0',
      'md0',
      'md0p1',
      'loop3',
      'ram0',
      'fd0',
      'sr0',
      'zram0',
      'nbd0',
    ];
    const disks = parseDiskstats(names.map((name) => line(name, 8)).join('\n'));
    // xvdb1 stays: its disk is not listed, so it is the whole device this host sees.
    expect(wholeDisks(disks).map((disk) => disk.disk)).toEqual([
      'sda',
      'nvme0n1',
      'mmcblk0',
      'xvdb1',
      'dm-0',
      'md0',
      'nbd0',
    ]);
  });

  it('skips devices never used since boot', () => {
    const unused = '  43       0 nbd1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0';
    expect(readTicks(unused, unused)[1]).toEqual({});
  });

  it('skips the tick after a counter reset, and malformed lines', () => {
    const [, , reset, next] = readTicks(
      line('sda', 1000),
      line('sda', 3000),
      line('sda', 10),
      line('sda', 20),
    );
    expect(reset).toEqual({});
    expect(next).toEqual({ 'disk.sda.read': 10 * 512, 'disk.sda.write': 10 * 512 });
    expect(parseDiskstats('   8 0 sda 1 2 x 4 5 6 7\n   8 1\n')).toEqual([]);
  });
});
