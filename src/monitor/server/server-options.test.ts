import { describe, expect, test } from 'vitest';
import { MonitorError } from '../../errors.js';
import { isLoopbackAddress, normalizeServerOptions } from './server-options.js';

describe('normalizeServerOptions', () => {
  test('loopback and port 0 by default, with no token', () => {
    const options = normalizeServerOptions();
    expect([options.bind, options.port, options.token, options.keepaliveMs]).toEqual([
      '127.0.0.1',
      0,
      undefined,
      15_000,
    ]);
  });

  test('beyond loopback a random 128-bit token is made; a given token is kept', () => {
    const first = normalizeServerOptions({ bind: '0.0.0.0' }).token;
    const second = normalizeServerOptions({ bind: '::' }).token;
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second).not.toBe(first);
    expect(normalizeServerOptions({ token: 'my-secret-token' }).token).toBe('my-secret-token');
  });

  test('every bad option is reported at once', () => {
    const attempt = () => normalizeServerOptions({ bind: ' ', port: 70_000, token: 'short' });
    expect(attempt).toThrow(MonitorError);
    expect(attempt).toThrow(
      'Cannot serve the monitor\'s dashboard: the bind address must be an address or a host name, got " "; the port must be a whole number from 0 to 65535, got 70000; the token must be at least 8 printable characters without spaces.',
    );
  });
});

test('isLoopbackAddress knows 127/8, ::1, localhost and mapped IPv4', () => {
  const loopback = [
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '[::1]',
    'localhost',
    'LOCALHOST',
    '::ffff:127.0.0.1',
  ];
  const beyond = ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1'];
  expect(loopback.map(isLoopbackAddress)).toEqual(loopback.map(() => true));
  expect(beyond.map(isLoopbackAddress)).toEqual(beyond.map(() => false));
});
