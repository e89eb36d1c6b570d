import { describe, expect, it } from 'vitest';
import { createExecToken, tokenEnvironment, tokenKillScript } from './exec-token.js';

describe('exec tokens', () => {
  it('are 16 random hex digits, carried in one environment variable', () => {
    const token = createExecToken();
    expect(token).toMatch(/^[0-9a-f]{16}$/);
    expect(createExecToken()).not.toBe(token);
    expect(tokenEnvironment(token)).toEqual({ OTTO_EXEC_TOKEN: token });
  });

  it('kill every process whose environment carries the token', () => {
    expect(tokenKillScript('0123456789abcdef')).toBe(
      [
        'for f in /proc/[0-9]*/environ; do',
        '  grep -q -F OTTO_EXEC_TOKEN=0123456789abcdef "$f" 2>/dev/null || continue',
        '  p=${f#/proc/}',
        '  kill -KILL "${p%/environ}" 2>/dev/null',
        'done',
        'exit 0',
      ].join('\n'),
    );
    expect(tokenKillScript('0123456789abcdef', 'INT')).toContain('kill -INT ');
  });
});
