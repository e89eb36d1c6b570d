import { describe, expect, it } from 'vitest';
import { createExecToken, tokenEnvironment, tokenKillScript } from './exec-token.js';

describe('exec tokens', () => {
  it('are 16 random hex digits, carried in one environment variable', () => {
    const token = createExecToken();
    expect(token).toMatch(/^[0-9a-f]{16}$/);
    expect(createExecToken()).not.toBe(token);
    expect(tokenEnvironment(token)).toEqual({ OTTO_EXEC_TOKEN: token });
  });

  it('kill, in rounds, every process that carries the token and its descendants', () => {
    const script = tokenKillScript('0123456789abcdef');
    expect(script.split('\n').slice(0, 2)).toEqual(['t=OTTO_EXEC_TOKEN=0123456789abcdef', 's0=']);
    expect(script).toContain('< "$1/environ"');
    expect(script).toContain('< "$d/stat"');
    expect(script).toContain('    kill -KILL "$p" 2>/dev/null && n=1');
    expect(script).toContain('while [ $i -lt 5 ] && round; do i=$((i + 1)); done');
    expect(script.endsWith('\nexit 0')).toBe(true);
  });

  it('send other signals once', () => {
    const script = tokenKillScript('0123456789abcdef', 'INT');
    expect(script).toContain('    kill -INT "$p" 2>/dev/null && n=1');
    expect(script).toContain('while [ $i -lt 1 ] && round;');
  });

  it("can spare one process (a session's shell) but not its descendants", () => {
    const script = tokenKillScript('0123456789abcdef', 'KILL', 42);
    expect(script.split('\n')[1]).toBe('s0=42');
    expect(script).toContain('  k=" ${s0:+$s0 }"');
    expect(script).toContain('    [ "$p" = "$s0" ] && continue');
  });

  it('call no program that an image may lack (exec-token.int.test.ts runs it with none)', () => {
    expect(tokenKillScript('0123456789abcdef')).not.toMatch(
      /\b(grep|tr|pkill|pgrep|ps|awk|sed|cat|xargs|env)\b/,
    );
  });
});
