import { describe, expect, it } from 'vitest';
import { directTcp } from '../tcp-opener.js';
import {
  DEFAULT_LOGIN_PROMPT,
  describeTelnetAddress,
  normalizeTelnetTarget,
  type TelnetTarget,
} from './telnet-target.js';

describe('normalizeTelnetTarget', () => {
  it('fills every default', () => {
    const target = normalizeTelnetTarget({ host: '10.0.0.5', user: 'otto', password: 'otto' });
    expect(target).toMatchObject({
      host: '10.0.0.5',
      port: 23,
      user: 'otto',
      loginPrompt: DEFAULT_LOGIN_PROMPT,
      connectTimeoutMs: 10_000,
      loginTimeoutMs: 20_000,
      term: 'dumb',
      cols: 200,
      rows: 50,
    });
    expect(target.tcp.via).toBeUndefined();
    expect(target.passwordPrompt.test('Password: ')).toBe(true);
    expect(target.failurePattern.test('Login incorrect')).toBe(true);
  });

  it('compiles prompt sources case-insensitively', () => {
    const target = normalizeTelnetTarget({ host: 'sw-1', loginPrompt: 'User Name:\\s*$' });
    expect(target.loginPrompt.test('user name: ')).toBe(true);
  });

  it('lists every problem in one error', () => {
    const bad = {
      host: '',
      port: 0,
      user: '',
      loginTimeoutMs: -1,
      loginPrompt: '(',
      cols: 1.5,
      name: 'sw-1',
    };
    expect(() => normalizeTelnetTarget(bad as unknown as TelnetTarget)).toThrow(
      [
        'Invalid telnet target "sw-1" (:0): 6 problems.',
        '  - host: expected a non-empty string, got "" (string)',
        '  - port: expected an integer from 1 to 65535, got 0 (number)',
        '  - user: expected a non-empty string, got "" (string)',
        '  - loginTimeoutMs: expected an integer from 1 to 86400000, got -1 (number)',
        '  - cols: expected an integer from 1 to 65535, got 1.5 (number)',
        '  - loginPrompt: not a valid regular expression: /(/i: Unterminated group',
      ].join('\n'),
    );
  });
});

describe('describeTelnetAddress', () => {
  it('shows user, host, port and the hop', () => {
    const direct = normalizeTelnetTarget({ host: '10.0.0.5', user: 'otto' });
    expect(describeTelnetAddress(direct)).toBe('otto@10.0.0.5:23');
    const via = normalizeTelnetTarget({
      host: '10.0.0.5',
      port: 2323,
      tcp: { ...directTcp(), via: 'root@127.0.0.1:2222' },
    });
    expect(describeTelnetAddress(via)).toBe('10.0.0.5:2323 via root@127.0.0.1:2222');
  });
});
