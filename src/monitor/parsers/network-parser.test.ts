import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterMemory } from './counter-memory.js';
import { networkParser, parseNetDev } from './network-parser.js';

const sample = (name: string): string =>
  readFileSync(new URL(`samples/${name}`, import.meta.url), 'utf8');

function readTicks(...outputs: string[]) {
  const memory = new CounterMemory();
  return outputs.map((output, index) =>
    networkParser.parse(output, memory.contextFor('web1', index * 1000)),
  );
}

describe('network parser', () => {
  it('reads rx and tx bytes/s per interface from two samples, loopback left out', () => {
    const [first, second] = readTicks(
      sample('busybox/net-dev.1.txt'),
      sample('busybox/net-dev.2.txt'),
    );
    expect(first).toEqual([]);
    // eth0 received 486 - 200 bytes in the second.
    expect(second).toEqual([
      { key: 'net.eth0.rx', label: 'eth0 rx', labels: { interface: 'eth0' }, value: 286 },
      { key: 'net.eth0.tx', label: 'eth0 tx', labels: { interface: 'eth0' }, value: 0 },
    ]);
  });

  it('reads a counter that touches the colon (docker0:36657767263)', () => {
    const interfaces = parseNetDev(sample('local/net-dev.1.txt'));
    expect(interfaces.map((counters) => counters.iface)).toEqual([
      'lo',
      'ifb0',
      'ifb1',
      'eth0',
      'docker0',
    ]);
    expect(interfaces[4]).toEqual({ iface: 'docker0', rxBytes: 36657767263, txBytes: 24475289136 });
    const [, second] = readTicks(sample('local/net-dev.1.txt'), sample('local/net-dev.2.txt'));
    expect(second!.map((reading) => reading.key)).not.toContain('net.lo.rx');
    expect(second).toHaveLength(8);
  });

  it('skips the tick after a counter reset, and malformed lines', () => {
    const at = (rx: number): string => `  eth1: ${rx} 1 0 0 0 0 0 0 ${rx} 1 0 0 0 0 0 0\n`;
    const [, , reset, next] = readTicks(at(5000), at(9000), at(100), at(400));
    expect(reset).toEqual([]);
    expect(next!.map((reading) => reading.value)).toEqual([300, 300]);
    expect(parseNetDev('  eth1: 1 2 3\n  : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n')).toEqual([]);
  });
});
