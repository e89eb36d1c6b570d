import { describe, expect, it } from 'vitest';
import { describeFrame, stackFrames, userFrameOf } from './stack-frames.js';

const STACK = [
  'Error: boom',
  '    at checkSpec (/pkg/dist/suites/define-suite.js:120:11)',
  '    at new Promise (<anonymous>)',
  '    at file:///repo/node_modules/dep/index.js:3:7',
  '    at Object.<anonymous> (file:///repo/tests/web.test.ts:12:5)',
  '    at /repo/tests/other.ts:4:1',
].join('\n');

describe('stack frames', () => {
  it('reads the file frames of a stack, URLs as paths', () => {
    expect(stackFrames(STACK).map(describeFrame)).toEqual([
      '/pkg/dist/suites/define-suite.js:120:11',
      '/repo/node_modules/dep/index.js:3:7',
      '/repo/tests/web.test.ts:12:5',
      '/repo/tests/other.ts:4:1',
    ]);
    expect(stackFrames(undefined)).toEqual([]);
  });

  it("finds the user's first frame: not otto-ts's, not a package's", () => {
    expect(userFrameOf(STACK, '/pkg/dist/')).toEqual({
      file: '/repo/tests/web.test.ts',
      line: 12,
      column: 5,
    });
    expect(userFrameOf('Error: x\n    at f (/pkg/dist/a.js:1:1)', '/pkg/dist/')).toBeUndefined();
  });
});
