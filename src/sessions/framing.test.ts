import { describe, expect, it } from 'vitest';
import { createMarkers, frameCommand, readyProbe, recoveryProbe } from './framing.js';

describe('frameCommand', () => {
  it('assigns the command in single-quoted pieces and runs it between markers', () => {
    expect(frameCommand("echo 'hi'", { token: 'abc', seq: 3, isInteractive: false })).toBe(
      "__otto_c='echo '\\''hi'\\'''\n" +
        "printf '%s%s\\n' '__OTTO_abc_' 'B3__'; command eval \"$__otto_c\" </dev/null 2>&1; printf '%s%s%s__' '__OTTO_abc_' 'E3_' \"$?\"\n",
    );
  });

  it('leaves stdin on the session for interactive commands', () => {
    expect(frameCommand('read x', { token: 'abc', seq: 1, isInteractive: true })).not.toContain(
      '</dev/null',
    );
  });

  it('keeps every input line short, whatever the command', () => {
    const command = `echo ${'x'.repeat(10_000)}\n${"'".repeat(3000)}`;
    const lines = frameCommand(command, { token: 'abc', seq: 1, isInteractive: false }).split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(2100);
  });

  it('never writes a whole marker into the input', () => {
    const markers = createMarkers('abc');
    const input =
      frameCommand('true', { token: 'abc', seq: 5, isInteractive: false }) +
      readyProbe('abc', true) +
      recoveryProbe('abc', 5);
    expect(input).not.toContain(markers.begin(5).toString());
    expect(input).not.toContain(markers.endPrefix(5).toString());
    expect(input).not.toMatch(markers.readyPattern);
    expect(input).not.toMatch(markers.recoverPattern(5));
  });
});
