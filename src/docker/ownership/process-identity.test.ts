import { describe, expect, it } from 'vitest';
import {
  currentIdentity,
  ownerLiveness,
  parseProcStat,
  readStartTicks,
  type ProcessIdentity,
} from './process-identity.js';

const STAT_TAIL = '1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 9001 1000 10 18446744073709551615';

describe('parseProcStat', () => {
  it('reads the state and field 22, the start time', () => {
    expect(parseProcStat(`42 (sh) S ${STAT_TAIL}`)).toEqual({ state: 'S', startTicks: '9001' });
  });

  it('counts fields from the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat(`42 (a) b (c) Z ${STAT_TAIL}`)).toEqual({
      state: 'Z',
      startTicks: '9001',
    });
  });

  it('gives nothing for a line that is not a stat line', () => {
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('42 (sh) S 1 2')).toBeUndefined();
  });
});

describe('ownerLiveness', () => {
  const local = currentIdentity();
  const owner = (change: Partial<ProcessIdentity>): ProcessIdentity => ({ ...local, ...change });

  it('says this process is alive', () => {
    expect(local.startTicks).toBe(readStartTicks(process.pid));
    expect(ownerLiveness(local)).toBe('alive');
  });

  it('says a reused pid (another start time) is dead', () => {
    expect(ownerLiveness(owner({ startTicks: String(Number(local.startTicks) + 1) }))).toBe('dead');
  });

  it('says a pid that does not run is dead', () => {
    expect(ownerLiveness(owner({ pid: '999999999' }))).toBe('dead');
  });

  it('says an owner of an earlier boot of this machine is dead', () => {
    expect(ownerLiveness(owner({ bootId: 'another-boot' }))).toBe('dead');
  });

  it('cannot judge an owner on another machine or in another pid namespace', () => {
    expect(ownerLiveness(owner({ machine: '0123456789abcdef', bootId: 'x' }))).toBe('unknown');
    expect(ownerLiveness(owner({ pidNamespace: 'pid:[1]' }))).toBe('unknown');
  });

  it('cannot judge labels without an identity', () => {
    expect(ownerLiveness(owner({ startTicks: '' }))).toBe('unknown');
    expect(ownerLiveness(owner({ machine: '' }))).toBe('unknown');
  });
});
