import { describe, expect, it } from 'vitest';
import {
  flagStyleOf,
  listenArgsOf,
  listenerEndReason,
  ncEndPhrase,
  normalizeNcOptions,
  releasePort,
  reservePort,
} from './nc-listener.js';

describe('nc flag styles', () => {
  it('tells OpenBSD from busybox and traditional netcat', () => {
    expect(flagStyleOf('OpenBSD netcat (Debian patchlevel 1.219-1)\nusage: nc [-46C]')).toBe(
      'openbsd',
    );
    expect(flagStyleOf('BusyBox v1.35.0 multi-call binary.\nUsage: nc [-iN] [-l] [-p PORT]')).toBe(
      'busybox',
    );
    expect(flagStyleOf('[v1.10-47]\nconnect to somewhere: nc [-options] hostname port')).toBe(
      'busybox',
    );
    expect(flagStyleOf('sh: nc: not found')).toBeUndefined();
    expect(listenArgsOf('openbsd', 9000)).toBe('-l 9000');
    expect(listenArgsOf('busybox', 9000)).toBe('-l -p 9000');
  });
});

describe('nc options and ports', () => {
  it('fills defaults and refuses an empty range', () => {
    expect(normalizeNcOptions()).toEqual({
      execName: 'nc',
      portMin: 9000,
      portMax: 9999,
      listenerTimeoutMs: 10_000,
    });
    expect(() => normalizeNcOptions({ portMin: 10, portMax: 5 })).toThrow(
      'Invalid nc port range 10-5: expected 1 <= port_min <= port_max <= 65535.',
    );
  });

  it('reserves distinct ports until the range is used up, and takes them back', () => {
    const options = normalizeNcOptions({ portMin: 7000, portMax: 7001 });
    const first = reservePort('unit', options, new Set());
    const second = reservePort('unit', options, new Set());
    expect([first, second].sort()).toEqual([7000, 7001]);
    expect(reservePort('unit', options, new Set())).toBeUndefined();
    releasePort('unit', first!);
    expect(reservePort('unit', options, new Set())).toBe(first);
  });
});

describe('how a listener ended', () => {
  it('names the signal behind an exit code of 128+n, else the stderr line or the code', () => {
    const ended = (exitCode: number, stderr: string) =>
      listenerEndReason({ exitCode, stderr, stdout: Buffer.alloc(0) });
    expect(ended(143, 'Terminated\n')).toBe('nc on the host was stopped by SIGTERM');
    expect(ended(137, '')).toBe('nc on the host was stopped by SIGKILL');
    expect(ended(1, 'nc: Address already in use\n')).toBe('nc: Address already in use');
    expect(ended(2, '')).toBe('nc on the host exited with 2');
    expect(ncEndPhrase(130)).toBe('was stopped by SIGINT');
    expect(ncEndPhrase(255)).toBe('exited with 255');
  });
});
