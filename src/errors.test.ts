import { describe, expect, it } from 'vitest';
import { ConfigError, DockerError, ImageBuildError, OttoError, tailLines } from './errors.js';

describe('OttoError', () => {
  it('puts the summary first, then the output tail, then the fix', () => {
    const error = new ImageBuildError(
      'IMAGE_BUILD_FAILED',
      'Building otto/x failed at Step 2/3 : RUN false: exit 1',
      {
        operation: 'Step 2/3 : RUN false',
        outputTail: 'line one\nline two\n',
        fix: 'repair the Dockerfile.',
      },
    );
    expect(error.message).toBe(
      'Building otto/x failed at Step 2/3 : RUN false: exit 1\n  | line one\n  | line two\nFix: repair the Dockerfile.',
    );
    expect(error).toBeInstanceOf(DockerError);
    expect(error).toBeInstanceOf(OttoError);
    expect(error.name).toBe('ImageBuildError');
    expect(error.code).toBe('IMAGE_BUILD_FAILED');
    expect(error.details.operation).toBe('Step 2/3 : RUN false');
  });

  it('keeps the cause', () => {
    const cause = new Error('low level');
    const error = new ConfigError('USAGE', 'Bad thing.', { cause });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('Bad thing.');
  });
});

describe('tailLines', () => {
  it('keeps the last lines only', () => {
    expect(tailLines('a\nb\nc\nd\n', 2)).toBe('c\nd');
  });
});
