import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { joinArgv, quotePosix } from './quote.js';

/** Runs a script with a real `sh -c` and returns its stdout. */
function runSh(script: string): string {
  return execFileSync('sh', ['-c', script], { encoding: 'utf8' });
}

/** The argv a shell sees after word splitting `joinArgv(list)`, one NUL-terminated word each. */
function shellArgv(list: readonly string[]): string[] {
  const words = runSh(`printf '%s\\0' ${joinArgv(list)}`).split('\0');
  expect(words.pop()).toBe('');
  return words;
}

// Every character from U+0001 to U+00FF: the shell and Node pass non-ASCII as UTF-8.
const ALL_LATIN1 = Array.from({ length: 255 }, (_, index) => String.fromCharCode(index + 1)).join(
  '',
);

const TRICKY_WORDS: readonly (readonly [name: string, word: string])[] = [
  ['empty string', ''],
  ['a space', 'a b'],
  ['leading and trailing spaces', '  a  '],
  ['a tab', 'a\tb'],
  ['a single quote', "it's"],
  ['only single quotes', "'''"],
  ['a quote at each end', "'a'"],
  ['double quotes', 'say "hi"'],
  ['command substitution', '$(echo pwned)'],
  ['a variable', '$HOME'],
  ['a positional parameter', '$1$@$*$#$?$$'],
  ['backticks', '`echo pwned`'],
  ['a semicolon', 'a; echo pwned'],
  ['&&', 'true && echo pwned'],
  ['a pipe', 'a | cat'],
  ['redirections', '>out <in 2>&1'],
  ['a newline', 'line1\nline2'],
  ['a trailing newline', 'line\n'],
  ['a carriage return', 'a\r\nb'],
  ['a glob star', '*'],
  ['a glob question mark', '?'],
  ['a glob bracket', '[a-z]*'],
  ['a leading dash', '-rf'],
  ['a leading double dash', '--force=yes'],
  ['a tilde', '~'],
  ['a tilde path', '~/x'],
  ['a hash', '#not a comment'],
  ['a hash inside', 'a#b'],
  ['unicode', 'héllo wörld ✓ 日本語 😀'],
  ['backslashes', 'a\\b\\\\c\\'],
  ['a backslash before a quote', "\\'"],
  ['braces', '{a,b}'],
  ['an exclamation mark', '!!'],
  ['parentheses', '(a)'],
  ['an ampersand', 'a&'],
  ['an assignment-like word with a space', 'A=1 B'],
  ['control characters', '\x01\x02\x07\x1b[31m\x7f'],
  ['every byte from 1 to 255', ALL_LATIN1],
];

describe('quotePosix', () => {
  it.each([
    'abc',
    'ABC_def-123',
    '/usr/local/bin/otto',
    'key=value',
    'a,b.c:d@e%f^g+h',
    '-n',
    '--flag=on',
    'user@host:/path',
  ])('leaves the safe word %j bare', (word) => {
    expect(quotePosix(word)).toBe(word);
  });

  it.each([
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ['$(x)', "'$(x)'"],
    ['`x`', "'`x`'"],
    ['a\nb', "'a\nb'"],
    ['*', "'*'"],
    ['~', "'~'"],
    ['#', "'#'"],
    ['é', "'é'"],
    ['a\\b', "'a\\b'"],
  ])('quotes %j as %j', (word, quoted) => {
    expect(quotePosix(word)).toBe(quoted);
  });

  it.each(TRICKY_WORDS)('round-trips %s through sh exactly', (_name, word) => {
    expect(runSh(`printf '%s\\n' ${quotePosix(word)}`)).toBe(`${word}\n`);
  });

  it('keeps a glob literal even where it would match files', () => {
    // `/*` matches the root directory's entries if it were left unquoted.
    expect(runSh(`printf '%s\\n' ${quotePosix('/*')}`)).toBe('/*\n');
  });

  it('keeps a tilde literal even though HOME is set', () => {
    const output = execFileSync('sh', ['-c', `printf '%s\\n' ${quotePosix('~/x')}`], {
      encoding: 'utf8',
      env: { ...process.env, HOME: '/home/someone' },
    });
    expect(output).toBe('~/x\n');
  });

  it('round-trips a word inside an eval', () => {
    // A quoted word must survive a second parse, as `command eval` does in a session.
    const word = 'a \'b\' "c" $(d) `e` ; f | g \n h';
    const script = `printf '%s\\n' ${quotePosix(word)}`;
    expect(runSh(`eval ${quotePosix(script)}`)).toBe(`${word}\n`);
  });
});

describe('joinArgv', () => {
  it('joins an empty list into an empty line', () => {
    expect(joinArgv([])).toBe('');
  });

  it('quotes each word and joins them with single spaces', () => {
    expect(joinArgv(['echo', "it's", 'a b', '', '-n'])).toBe("echo 'it'\\''s' 'a b' '' -n");
  });

  it('yields exactly the same argv through sh', () => {
    const list = TRICKY_WORDS.map(([, word]) => word);
    expect(shellArgv(list)).toEqual(list);
  });

  it('keeps empty words as separate arguments', () => {
    expect(shellArgv(['', 'a', '', ''])).toEqual(['', 'a', '', '']);
  });

  it('brackets each argument exactly once', () => {
    expect(runSh(`printf '[%s]' ${joinArgv(['a b', "c'd", '*', '', '$x'])}`)).toBe(
      "[a b][c'd][*][][$x]",
    );
  });

  it('runs argv[0] as the command, not as something the shell interprets', () => {
    const result = spawnSync('sh', ['-c', joinArgv(['printf', '%s|', 'a;b', '$(id)'])], {
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('a;b|$(id)|');
    expect(result.status).toBe(0);
  });

  it('runs an argv[0] that contains "=" as a command, not as an assignment', () => {
    // `A=1 printf x` would set A for printf; the command line must run the program named `A=1`.
    const result = spawnSync('sh', ['-c', `${joinArgv(['A=1', 'printf', 'x'])}; echo "rc=$?"`], {
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('rc=127\n');
  });
});
