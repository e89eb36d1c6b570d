import { describe, expect, it } from 'vitest';
import {
  childSignalScript,
  markAssignment,
  markedKillScript,
  treeKillScript,
} from './interrupt-script.js';

describe('process scripts', () => {
  it('refuse a pid that is not a process of ours to kill', () => {
    for (const pid of [0, 1, -5, 2.5, Number.NaN]) {
      expect(() => treeKillScript(pid)).toThrow(`Invalid process id ${pid}.`);
      expect(() => childSignalScript(pid)).toThrow(`Invalid process id ${pid}.`);
    }
  });

  it('refuse marks that could carry shell syntax', () => {
    for (const mark of ['', 'a b', "a'b", 'a;kill -9 -1', '$(id)']) {
      expect(() => markedKillScript([mark])).toThrow(
        `Invalid process mark ${JSON.stringify(mark)}.`,
      );
      expect(() => markAssignment(mark)).toThrow(`Invalid process mark ${JSON.stringify(mark)}.`);
    }
  });

  it('end a mark with a dot, so that no mark matches a longer one', () => {
    expect(markAssignment('3f2a')).toBe('OTTO_EXEC_ID=3f2a.');
    const script = markedKillScript(['3f2a', 'b7']);
    expect(script).toContain(`marks='3f2a b7'`);
    expect(script).toContain('*"$v=$m."*');
    // The assignment itself never appears whole in the script's text.
    expect(script).not.toContain('OTTO_EXEC_ID=3f2a');
  });

  it('spare the root when asked, and take its session only as asked', () => {
    expect(treeKillScript(4242, { includeRoot: false, session: 'none' })).toContain(
      'keep=" 4242 "',
    );
    expect(treeKillScript(4242, { session: 'none' })).not.toContain('/proc/4242/stat');
    expect(treeKillScript(4242, { session: 'led' })).not.toContain('else sids=" 4242 "');
    expect(treeKillScript(4242, { session: 'assumed' })).toContain('else sids=" 4242 "');
  });
});
