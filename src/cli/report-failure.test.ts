import { describe, expect, it } from 'vitest';
import { ConfigError, ConnectionError, InstructionError } from '../errors.js';
import { describeFailure, exitCodeOfFailure, reportFailure } from './report-failure.js';
import { SecretMasker } from '../common/secret-masker.js';

describe('describeFailure', () => {
  it('gives our errors as their message, fix included, without a stack', () => {
    const error = new ConnectionError('AUTH_FAILED', 'Authentication failed for host "db".', {
      fix: 'check the password.',
    });
    expect(describeFailure(error)).toBe(
      'otto: Authentication failed for host "db".\nFix: check the password.\n',
    );
  });

  it('gives anything else as a bug, with its stack', () => {
    const bug = new TypeError('x is undefined');
    expect(describeFailure(bug)).toBe(
      `otto: unexpected error (a bug in otto-ts; please report it):\n${bug.stack}\n`,
    );
    expect(describeFailure('thrown text')).toBe(
      'otto: unexpected error (a bug in otto-ts; please report it):\nthrown text\n',
    );
  });
});

describe('exitCodeOfFailure', () => {
  it('is 2 for user mistakes and 1 for failed work', () => {
    expect(exitCodeOfFailure(new ConfigError('USAGE', 'bad'))).toBe(2);
    expect(exitCodeOfFailure(new InstructionError('INSTRUCTION_FAILED', 'failed'))).toBe(1);
    expect(exitCodeOfFailure(new Error('bug'))).toBe(1);
  });
});

describe('reportFailure', () => {
  it('prints the failure with secrets masked and returns its exit code', () => {
    const written: string[] = [];
    const code = reportFailure(
      new ConfigError('USAGE', 'No such file /tmp/hunter2-pw/x.'),
      { write: (text: string) => written.push(text) },
      new SecretMasker(['hunter2-pw']),
    );
    expect({ code, written }).toEqual({
      code: 2,
      written: ['otto: No such file /tmp/********/x.\n'],
    });
  });
});
