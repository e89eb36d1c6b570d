import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax.js';

function errorOf(text: string): string | undefined {
  const found = findJsonSyntaxError(text);
  return found && `line ${found.line}, column ${found.column}: ${found.message}`;
}

describe('findJsonSyntaxError', () => {
  it.each([
    ['', 'line 1, column 1: the file is empty'],
    ['[\n  // hosts\n]', 'line 2, column 3: a comment, and JSON has no comments'],
    ['[{"a": 1} /* x */]', 'line 1, column 11: a comment, and JSON has no comments'],
    [
      '[\n  {"a": 1,}\n]',
      'line 2, column 11: unexpected "}" after ","; JSON allows no trailing comma',
    ],
    ['[1, 2,]', 'line 1, column 7: unexpected "]" after ","; JSON allows no trailing comma'],
    [
      '[\n  {"a": 1}\n  {"b": 2}\n]',
      'line 3, column 3: expected "," or "]", got "{" (a missing comma?)',
    ],
    ['{"a": 1 "b": 2}', 'line 1, column 9: expected "," or "}", got "\\"" (a missing comma?)'],
    [
      '[\n  {"a": 1}\n',
      'line 3, column 1: the file ends before the "[" at line 1, column 1 is closed',
    ],
    ["[{'a': 1}]", 'line 1, column 3: unexpected "\'": object keys are strings in double quotes'],
    ['[{a: 1}]', 'line 1, column 3: unexpected "a": object keys are strings in double quotes'],
    ['{"a" 1}', 'line 1, column 6: expected ":" after the key, got "1"'],
    [
      '{"a": True}',
      'line 1, column 7: unexpected "True": a JSON value is an object, a list, a string in double quotes, a number, true, false or null',
    ],
    ['{"a": "x\ny"}', 'line 1, column 9: a line break inside a string (write \\n)'],
    ['{"a": "x\ty"}', 'line 1, column 9: a tab inside a string (write \\t)'],
    ['{"a": "x\u0000"}', 'line 1, column 9: a control character (U+0000) inside a string'],
    ['{"a": "\\x"}', 'line 1, column 8: invalid escape "\\x" in a string'],
    ['{"a": 01}', 'line 1, column 7: invalid number "01"'],
    ['{"a": .5}', 'line 1, column 7: invalid number ".5"'],
    ['{"a": 0x1F}', 'line 1, column 7: invalid number "0x1F"'],
    ['[1]]', 'line 1, column 4: unexpected "]" after the end of the JSON value'],
    ['{"a": [1}', 'line 1, column 9: unexpected "}": the "[" at line 1, column 7 is closed by "]"'],
    ['["é", "日本", 😀]', 'line 1, column 13: unexpected "😀" where a value should be'],
    ['\u00a0[]', 'line 1, column 1: unexpected "\u00a0" where a value should be'],
    ['[1,\r\n 2 3]', 'line 2, column 4: expected "," or "]", got "3" (a missing comma?)'],
  ])('%j: %s', (text, expected) => {
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(errorOf(text)).toBe(expected);
  });

  it.each([
    '[]',
    '{}',
    '0',
    '-1.5e+3',
    '"\\u00e9\\n"',
    'true',
    ' null ',
    '[{"a": [1, {"b": null}]}]',
  ])('finds nothing wrong in %j', (text) => {
    expect(findJsonSyntaxError(text)).toBeUndefined();
  });

  it('agrees with JSON.parse on every one-character change of a lab file', () => {
    const valid = JSON.stringify(
      [
        {
          ip: '10.0.0.1',
          ne: 'a',
          neId: -1.5e3,
          creds: { u: 'p\\"w' },
          labs: ['x'],
          log: true,
          hop: null,
        },
      ],
      null,
      2,
    );
    const replacements = [
      '',
      ',',
      ':',
      '"',
      '}',
      ']',
      '{',
      '[',
      'x',
      '0',
      '-',
      '.',
      'e',
      ' ',
      '\\',
      '/',
    ];
    for (let index = 0; index < valid.length; index++) {
      for (const replacement of replacements) {
        const text = valid.slice(0, index) + replacement + valid.slice(index + 1);
        let isValid = true;
        try {
          JSON.parse(text);
        } catch {
          isValid = false;
        }
        expect(findJsonSyntaxError(text) === undefined, text).toBe(isValid);
      }
    }
  });
});
