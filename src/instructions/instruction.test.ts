import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import {
  dryRunResult,
  RunResult,
  notRunResult,
  type CommandResult,
} from '../hosts/command-result.js';
import { ConnectionError } from '../errors.js';
import {
  defineInstruction,
  exitCodeOf,
  failureOf,
  isInstruction,
  type InstructionContext,
} from './instruction.js';

/** A finished command with that status and exit code. */
function resultOf(status: CommandResult['status'], exitCode: number): CommandResult {
  return {
    command: 'make install',
    output: '',
    stdout: '',
    stderr: '',
    outputBytes: Buffer.alloc(0),
    exitCode,
    status,
    droppedBytes: 0,
    durationMs: 5,
  };
}

describe('defineInstruction', () => {
  it('makes an instruction with its name, help and options', () => {
    const deploy = defineInstruction({
      name: 'deploy_all-2',
      help: 'Install.',
      options: { debug: { type: 'boolean' } },
      run: () => 3,
    });
    expect(deploy.name).toBe('deploy_all-2');
    expect(deploy.help).toBe('Install.');
    expect(deploy.options).toEqual({ debug: { type: 'boolean' } });
    expect(isInstruction(deploy)).toBe(true);
  });

  it('defaults help to empty text and options to none', () => {
    const bare = defineInstruction({ name: 'bare', run: () => undefined });
    expect(bare.help).toBe('');
    expect(bare.options).toEqual({});
  });

  it('keeps `this` of the declaration in run', async () => {
    const spec = {
      name: 'counted',
      code: 7,
      run(this: { code: number }) {
        return this.code;
      },
    };
    const instruction = defineInstruction(spec);
    const context = {} as InstructionContext<Record<never, never>>;
    expect(await instruction.run(context)).toBe(7);
  });

  it('refuses a bad name', () => {
    for (const name of ['', '2deploy', '-x', 'de ploy', 'déploy'])
      expect(() => defineInstruction({ name, run: () => undefined })).toThrow(
        new ConfigError(
          'INSTRUCTION_INVALID',
          `Invalid instruction name "${name}": use letters, digits, - and _, starting with a letter.`,
        ),
      );
  });

  it('checks its options', () => {
    expect(() =>
      defineInstruction({
        name: 'x',
        options: { mode: { type: 'enum', choices: [] } },
        run: () => undefined,
      }),
    ).toThrow('Invalid option declaration:\n  mode: an enum option needs at least one choice');
  });
});

describe('isInstruction', () => {
  it('knows instructions of another copy of otto-ts by their shared symbol', () => {
    expect(isInstruction({ [Symbol.for('otto-ts.instruction')]: true })).toBe(true);
  });

  it('is false for anything else', () => {
    expect(isInstruction(undefined)).toBe(false);
    expect(isInstruction(null)).toBe(false);
    expect(isInstruction('deploy')).toBe(false);
    expect(isInstruction(() => undefined)).toBe(false);
    expect(isInstruction({ name: 'deploy', run: () => undefined })).toBe(false);
    expect(isInstruction({ [Symbol('otto-ts.instruction')]: true })).toBe(false);
  });
});

describe('exitCodeOf', () => {
  it('gives 0 for nothing, true and ok statuses', () => {
    expect(exitCodeOf(undefined)).toBe(0);
    expect(exitCodeOf(true)).toBe(0);
    expect(exitCodeOf('success')).toBe(0);
    expect(exitCodeOf('skipped')).toBe(0);
  });

  it('gives 1 for false and statuses that are not ok', () => {
    expect(exitCodeOf(false)).toBe(1);
    expect(exitCodeOf('failed')).toBe(1);
    expect(exitCodeOf('error')).toBe(1);
    expect(exitCodeOf('unstable')).toBe(1);
  });

  it('gives a number as the exit code, and 1 for one that cannot be', () => {
    expect(exitCodeOf(0)).toBe(0);
    expect(exitCodeOf(3)).toBe(3);
    expect(exitCodeOf(255)).toBe(255);
    expect(exitCodeOf(-1)).toBe(1);
    expect(exitCodeOf(1.5)).toBe(1);
    expect(exitCodeOf(Number.NaN)).toBe(1);
  });

  it('gives 1 for a number above 255 rather than letting it wrap to success', () => {
    expect(exitCodeOf(256)).toBe(1);
    expect(exitCodeOf(512)).toBe(1);
  });

  it('follows a RunResult', () => {
    expect(exitCodeOf(new RunResult([resultOf('success', 0), dryRunResult('ls')]))).toBe(0);
    expect(exitCodeOf(new RunResult([]))).toBe(0);
    expect(exitCodeOf(new RunResult([resultOf('success', 0), resultOf('failed', 2)]))).toBe(1);
    expect(exitCodeOf(new RunResult([notRunResult('ls', 'not connected')]))).toBe(1);
  });

  it('follows a CommandResult by its status, not its exit code', () => {
    expect(exitCodeOf(resultOf('success', 0))).toBe(0);
    expect(exitCodeOf(resultOf('success', 3))).toBe(0);
    expect(exitCodeOf(dryRunResult('ls'))).toBe(0);
    expect(exitCodeOf(resultOf('failed', 2))).toBe(1);
    expect(exitCodeOf(resultOf('error', -1))).toBe(1);
  });
});

describe('failureOf', () => {
  it('says why the first command that is not ok failed', () => {
    const lost = {
      ...resultOf('error', -1),
      command: 'make install\nmake check',
      error: new ConnectionError('CONNECT_FAILED', 'Could not connect to host "db".\nmore', {
        fix: 'check the address.',
      }),
    };
    expect(failureOf(new RunResult([resultOf('success', 0), lost]))).toEqual({
      reason: 'Could not connect to host "db".',
      fix: 'check the address.',
    });
    expect(failureOf(resultOf('failed', 127))).toEqual({
      reason: '`make install` failed (exit code 127: command not found)',
    });
  });

  it('has no reason for ok outcomes and for those that carry none', () => {
    for (const outcome of [undefined, true, false, 3, 'failed', new RunResult([])] as const)
      expect(failureOf(outcome)).toBeUndefined();
    expect(failureOf(resultOf('success', 0))).toBeUndefined();
  });
});
