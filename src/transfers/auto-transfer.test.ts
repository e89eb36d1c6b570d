import { describe, expect, it } from 'vitest';
import { AutoTransfer, type TransferCandidate } from './auto-transfer.js';
import type { Transfer, TransferKind } from './transfer.js';

const place = { host: 'box', kind: 'telnet', transport: 'otto@10.0.0.7:23' };

function fakeTransfer(kind: TransferKind): Transfer {
  return {
    kind,
    place: { ...place, kind },
    put: () => Promise.resolve({ files: [], durationMs: 1 }),
    get: () => Promise.resolve({ files: [], durationMs: 2 }),
  };
}

function candidate(
  kind: TransferKind,
  why: string | undefined,
  probes: string[],
): TransferCandidate {
  return {
    kind,
    probe: () => {
      probes.push(kind);
      return Promise.resolve(why);
    },
    create: () => fakeTransfer(kind),
  };
}

describe('AutoTransfer', () => {
  it('probes once, shared by concurrent first calls, and uses the first usable candidate', async () => {
    const probes: string[] = [];
    const auto = new AutoTransfer(place, [
      candidate('ftp', 'no server on port 21', probes),
      candidate('nc', undefined, probes),
      candidate('shell', undefined, probes),
    ]);
    expect(auto.kind).toBe('ftp');
    const results = await Promise.all([auto.put(['a'], '/x'), auto.get(['b'], '/y')]);
    await auto.put(['c'], '/z');
    expect(results.map((result) => result.durationMs)).toEqual([1, 2]);
    expect(probes).toEqual(['ftp', 'nc']);
    expect(auto.kind).toBe('nc');
  });

  it('lists every candidate and why when none works', async () => {
    const auto = new AutoTransfer(place, [
      candidate('nc', 'no nc program on the host', []),
      candidate('shell', 'the shell transfer cannot work there: no dd', []),
    ]);
    await expect(auto.chosen()).rejects.toMatchObject({
      name: 'TransferError',
      code: 'TRANSFER_FAILED',
      message:
        'No transfer works on host "box" (otto@10.0.0.7:23) [telnet]: nc: no nc program on the host; shell: the shell transfer cannot work there: no dd.\n' +
        'Fix: install one of the tools named on the host, or set its `transfer` option to one that works.',
    });
  });
});
