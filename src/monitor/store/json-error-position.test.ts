import { describe, expect, it } from 'vitest';
import { findJsonError } from './json-error-position.js';

describe('findJsonError', () => {
  it('gives the offset of the first wrong character and what was expected', () => {
    expect(findJsonError('{"a":}')).toEqual({ offset: 5, reason: 'expected a value' });
    expect(findJsonError('{"a":1,}')).toEqual({
      offset: 7,
      reason: 'expected a property name in double quotes',
    });
    expect(findJsonError('[1 2]')).toEqual({ offset: 3, reason: "expected ',' or ']'" });
    expect(findJsonError('{"a" 1}')).toEqual({ offset: 5, reason: "expected ':'" });
    expect(findJsonError('"a\\x"')).toEqual({ offset: 2, reason: 'invalid escape in a string' });
    expect(findJsonError('"a\tb"')).toEqual({ offset: 2, reason: 'control character in a string' });
    expect(findJsonError('[1, tru]')).toEqual({ offset: 4, reason: 'expected a value' });
    expect(findJsonError('{"a": [1')).toEqual({ offset: 8, reason: 'unexpected end of the text' });
    expect(findJsonError('1 2')).toEqual({ offset: 2, reason: 'expected the end of the value' });
    expect(findJsonError('['.repeat(600))).toEqual({ offset: 513, reason: 'nested too deeply' });
  });

  it('finds nothing wrong in JSON', () => {
    for (const text of [
      '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}',
      ' 0 ',
      '"✓"',
      '[]',
      '{}',
    ]) {
      expect(findJsonError(text), text).toBeUndefined();
    }
  });
});
