import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExpectMatcher, toRegExp, type ExpectRule } from './expect-matcher.js';

/** The sliding window of the module: older output is no longer matched. */
const WINDOW_CHARS = 16_384;

/** Feeds each chunk to a new matcher and returns the answers of each push. */
function pushChunks(
  rules: readonly ExpectRule[],
  chunks: readonly (Buffer | string)[],
): string[][] {
  const matcher = new ExpectMatcher(rules);
  return chunks.map((chunk) =>
    matcher.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
  );
}

/** All answers, in order, for the chunks fed to a new matcher. */
function answersFor(rules: readonly ExpectRule[], chunks: readonly (Buffer | string)[]): string[] {
  return pushChunks(rules, chunks).flat();
}

describe('ExpectMatcher', () => {
  it('answers nothing without rules', () => {
    expect(pushChunks([], ['Password: ', 'Password: '])).toEqual([[], []]);
  });

  it('answers nothing when no pattern matches', () => {
    expect(answersFor([['Password:', 'secret\n']], ['Login: ', 'user\n'])).toEqual([]);
  });

  it('answers a string pattern literally', () => {
    expect(pushChunks([['Password:', 'secret\n']], ['Enter Password: '])).toEqual([['secret\n']]);
  });

  it('matches a string pattern literally, not as a regex', () => {
    const rules: ExpectRule[] = [['(y/n)?', 'y\n']];
    expect(answersFor(rules, ['Continue y/n '])).toEqual([]);
    expect(answersFor(rules, ['Continue (y/n)? '])).toEqual(['y\n']);
  });

  it('answers a regex pattern', () => {
    expect(answersFor([[/pass(word|phrase):\s*$/i, 'secret\n']], ['Enter PASSPHRASE: '])).toEqual([
      'secret\n',
    ]);
  });

  it('matches a prompt split across chunks, answering when it completes', () => {
    expect(pushChunks([['Password:', 'secret\n']], ['Pass', 'wo', 'rd', ':'])).toEqual([
      [],
      [],
      [],
      ['secret\n'],
    ]);
  });

  it('matches a prompt split at every possible point', () => {
    const text = 'Login as root? [yes/no] ';
    for (let cut = 1; cut < text.length; cut++) {
      expect(answersFor([['[yes/no]', 'yes\n']], [text.slice(0, cut), text.slice(cut)])).toEqual([
        'yes\n',
      ]);
    }
  });

  it('matches a prompt with a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('Mot de passe é: ');
    const at = bytes.indexOf(Buffer.from('é')) + 1;
    expect(
      pushChunks([['passe é:', 'secret\n']], [bytes.subarray(0, at), bytes.subarray(at)]),
    ).toEqual([[], ['secret\n']]);
  });

  it('answers one prompt once, however much output follows', () => {
    expect(
      pushChunks([['Password:', 'secret\n']], ['Password: ', '\n', 'working...\n', 'done\n']),
    ).toEqual([['secret\n'], [], [], []]);
  });

  it('answers a prompt again each time it comes again', () => {
    expect(
      pushChunks([['Password:', 'secret\n']], ['Password: ', 'Sorry, try again.\nPassword: ']),
    ).toEqual([['secret\n'], ['secret\n']]);
  });

  it('answers each of several prompts in one chunk', () => {
    expect(pushChunks([['Password:', 'secret\n']], ['Password: Password: Password: '])).toEqual([
      ['secret\n', 'secret\n', 'secret\n'],
    ]);
  });

  it('answers several rules in the order their prompts appear, not the order of the rules', () => {
    const rules: ExpectRule[] = [
      ['Password:', 'secret\n'],
      [/Login:/, 'root\n'],
    ];
    expect(answersFor(rules, ['Login: Password: Login: '])).toEqual([
      'root\n',
      'secret\n',
      'root\n',
    ]);
  });

  it('lets the first rule win when two match at the same place', () => {
    const rules: ExpectRule[] = [
      [/Pass\w+:/, 'first\n'],
      ['Password:', 'second\n'],
    ];
    expect(answersFor(rules, ['Password: '])).toEqual(['first\n']);
  });

  it('restarts after a match, so a rule matching inside it does not answer', () => {
    const rules: ExpectRule[] = [
      ['word', 'inner\n'],
      [/Password:/, 'outer\n'],
    ];
    // `Password:` starts first; `word` lies inside it and is consumed with it.
    expect(answersFor(rules, ['Password: '])).toEqual(['outer\n']);
  });

  it('answers prompts of different rules in one chunk, each once', () => {
    const rules: ExpectRule[] = [
      ['Login:', 'root\n'],
      ['Password:', 'secret\n'],
    ];
    expect(pushChunks(rules, ['Password: Login: ', 'x'])).toEqual([['secret\n', 'root\n'], []]);
  });

  it('restarts after a match, so text before it takes no part in later matches', () => {
    // Without the restart, `a c` + `b` would match /a.*b/ across the answered `c`.
    const rules: ExpectRule[] = [
      [/a.*b/, 'AB\n'],
      ['c', 'C\n'],
    ];
    expect(pushChunks(rules, ['a c', 'b'])).toEqual([['C\n'], []]);
    expect(pushChunks(rules, ['a c', 'a b'])).toEqual([['C\n'], ['AB\n']]);
  });

  it('still answers a prompt at the end of output larger than the window', () => {
    const output = `${'x'.repeat(WINDOW_CHARS * 4)}Password: `;
    expect(answersFor([['Password:', 'secret\n']], [output])).toEqual(['secret\n']);
  });

  it('no longer answers a prompt that scrolled out of the window unmatched', () => {
    const output = `Password: ${'x'.repeat(WINDOW_CHARS)}`;
    expect(answersFor([['Password:', 'secret\n']], [output])).toEqual([]);
  });

  it('matches a prompt split across chunks after a lot of output', () => {
    const chunks = [`${'y'.repeat(WINDOW_CHARS * 2)}Pass`, 'word: '];
    expect(pushChunks([['Password:', 'secret\n']], chunks)).toEqual([[], ['secret\n']]);
  });

  it('uses a global regex the same way every time', () => {
    // A global regex keeps lastIndex between exec calls; the matcher must not depend on it.
    const rules: ExpectRule[] = [[/ok/g, 'next\n']];
    expect(pushChunks(rules, ['ok', 'ok', 'ok'])).toEqual([['next\n'], ['next\n'], ['next\n']]);
  });

  it('finishes on a pattern that can match empty text', () => {
    // Run in a child process: a matcher stuck on an empty match never returns from push.
    const moduleUrl = new URL('./expect-matcher.ts', import.meta.url).href;
    const script = [
      `const { ExpectMatcher } = await import(${JSON.stringify(moduleUrl)});`,
      `const answers = new ExpectMatcher([[/y?/, 'yes\\n']]).push(Buffer.from('abc'));`,
      `process.stdout.write(JSON.stringify(answers.length));`,
    ].join('\n');
    const result = spawnSync(
      process.execPath,
      ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 10_000 },
    );
    expect({ signal: result.signal, status: result.status }).toEqual({ signal: null, status: 0 });
    expect(Number(result.stdout)).toBeLessThanOrEqual(1);
  });
});

describe('toRegExp', () => {
  it('matches a string literally, every regex special character included', () => {
    const special = '.*+?^${}()|[]\\/-';
    const regex = toRegExp(special);
    expect(regex.test(`before ${special} after`)).toBe(true);
    expect(regex.exec(`xx${special}`)?.index).toBe(2);
    expect(regex.test('.*+?^$')).toBe(false);
  });

  it('does not treat a dot in a string as any character', () => {
    expect(toRegExp('a.b').test('axb')).toBe(false);
    expect(toRegExp('a.b').test('a.b')).toBe(true);
  });

  it('turns a string into a regex without flags', () => {
    expect(toRegExp('Password:').flags).toBe('');
    expect(toRegExp('Password:').test('password:')).toBe(false);
  });

  it('turns an empty string into a regex that matches anywhere', () => {
    expect(toRegExp('').exec('abc')?.index).toBe(0);
  });

  it('returns a regex without global or sticky flags as it is', () => {
    const regex = /prompt>/im;
    expect(toRegExp(regex)).toBe(regex);
  });

  it('drops the global and sticky flags and keeps the others', () => {
    const regex = toRegExp(/a.b/gimsuy);
    expect(regex.source).toBe('a.b');
    expect(regex.flags).toBe('imsu');
    expect(regex.global).toBe(false);
    expect(regex.sticky).toBe(false);
  });

  it('returns a regex that finds the same match on every call', () => {
    const regex = toRegExp(/ok/g);
    expect(regex.exec('ok ok')?.index).toBe(0);
    expect(regex.exec('ok ok')?.index).toBe(0);
  });

  it('leaves the given regex unchanged', () => {
    const given = /x/gy;
    toRegExp(given);
    expect(given.flags).toBe('gy');
  });
});
