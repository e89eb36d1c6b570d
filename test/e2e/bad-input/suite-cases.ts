import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TempRepo } from '../../helpers/temp-repo.js';
import type { BadInputCase } from './case.js';

/**
 * Bad `otto test` command lines and suite files: unknown suites, bad option values, bad marker
 * expressions, suite files that do not load or declare badly, a missing tests folder.
 */

const BASICS_TESTS = fileURLToPath(new URL('../../fixtures/suites/basics/tests', import.meta.url));

/** The suite files of the example repo basics (Checks, Flaky, Retries, Timeouts, HangingSetup). */
function basicsFiles(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(BASICS_TESTS).map((name) => [
      `tests/${name}`,
      readFileSync(join(BASICS_TESTS, name), 'utf8'),
    ]),
  );
}

const TESTS = 'tests = ["${sutDir}/tests"]\n';
const BASICS = { settings: TESTS, files: basicsFiles() };
const SUITES = 'Checks, Flaky, HangingSetup, Retries, Timeouts';
const FIX_FLAGS = 'Fix: otto test Checks --help describes its arguments and options.';

/** A repo whose only suite file is `text` in tests/`name`. */
function suiteFile(name: string, text: string) {
  return { settings: TESTS, files: { [`tests/${name}`]: text } };
}

const fileOf = (repo: TempRepo, name: string) => join(repo.root, 'tests', name);

const secondLine =
  (line: string) =>
  ({ stderr }: { stderr: string }) =>
    expect(stderr.split('\n')[1]).toBe(line);

export const SUITE_CASES: BadInputCase[] = [
  {
    name: 'an unknown suite, with the closest',
    ...BASICS,
    args: ['test', 'Chekcs'],
    exitCode: 2,
    firstLine: `otto: No suite "Chekcs"; did you mean "Checks"? Suites: ${SUITES}.`,
    check: secondLine('Fix: otto test --list-suites describes them.'),
  },
  {
    name: 'otto test without a suite',
    ...BASICS,
    args: ['test'],
    exitCode: 2,
    firstLine: `otto: No suite given. Suites: ${SUITES}.`,
  },
  {
    name: "a suite's option given before the suite name",
    ...BASICS,
    args: ['test', '--count', '3', 'Checks'],
    exitCode: 2,
    firstLine: `otto: No suite given before "--count": a suite's own options come after its name. Suites: ${SUITES}.`,
  },
  {
    name: 'a word for a number option of a suite',
    ...BASICS,
    args: ['test', 'Checks', '--count', 'many'],
    exitCode: 2,
    firstLine: "otto: option '--count <number>' argument 'many' is invalid. expected a number.",
    check: secondLine(FIX_FLAGS),
  },
  {
    name: 'a fraction for an integer option of a suite',
    ...BASICS,
    args: ['test', 'Checks', '--count', '1.5'],
    exitCode: 2,
    firstLine: "otto: option '--count <number>' argument '1.5' is invalid. expected an integer.",
  },
  {
    name: 'a number below the minimum of a suite option',
    ...BASICS,
    args: ['test', 'Checks', '--count=0'],
    exitCode: 2,
    firstLine: "otto: option '--count <number>' argument '0' is invalid. expected at least 1.",
  },
  {
    name: 'a value not among the choices of a suite option',
    ...BASICS,
    args: ['test', 'Checks', '--mode', 'deep'],
    exitCode: 2,
    firstLine:
      "otto: option '--mode <choice>' argument 'deep' is invalid. Allowed choices are fast, thorough.",
  },
  {
    name: 'a misspelt suite option',
    ...BASICS,
    args: ['test', 'Checks', '--cuont', '3'],
    exitCode: 2,
    firstLine: "otto: unknown option '--cuont'",
    check: secondLine('(Did you mean --count?)'),
  },
  {
    name: 'an extra argument after the suite name',
    ...BASICS,
    args: ['test', 'Checks', 'WebSuite'],
    exitCode: 2,
    firstLine: 'otto: too many arguments. Expected 0 arguments but got 1.',
  },
  {
    name: 'zero iterations',
    ...BASICS,
    args: ['test', 'Flaky', '-i', '0'],
    exitCode: 2,
    firstLine:
      "otto: option '-i, --iterations <number>' argument '0' is invalid. expected at least 1.",
  },
  {
    name: 'a threshold above 100%',
    ...BASICS,
    args: ['test', '--threshold', '150', 'Flaky'],
    exitCode: 2,
    firstLine:
      "otto: option '--threshold <number>' argument '150' is invalid. expected at most 100.",
  },
  {
    name: 'a duration of zero seconds',
    ...BASICS,
    args: ['test', 'Flaky', '--duration', '0'],
    exitCode: 2,
    firstLine:
      "otto: option '-d, --duration <number>' argument '0' is invalid. expected at least 0.001.",
  },
  {
    name: 'an unknown marker, with the closest',
    ...BASICS,
    args: ['test', 'Checks', '-m', 'slwo and not net'],
    exitCode: 2,
    firstLine:
      'otto: Unknown marker "slwo" in -m "slwo and not net"; did you mean "slow"? Markers of Checks: smoke, slow, net.',
  },
  {
    name: 'a marker expression that does not parse',
    ...BASICS,
    args: ['test', 'Checks', '-m', 'slow and'],
    exitCode: 2,
    firstLine:
      'otto: Invalid marker expression -m "slow and": unexpected end of expression in "slow and".',
    check: secondLine(
      'Fix: combine tags with and, or, not and parentheses, e.g. -m "(slow or net) and not flaky".',
    ),
  },
  {
    name: 'an empty marker expression',
    ...BASICS,
    args: ['test', 'Checks', '-m', ''],
    exitCode: 2,
    firstLine: 'otto: Empty marker expression for Checks (-m "").',
  },
  {
    name: 'markers for a suite that declares none',
    ...BASICS,
    args: ['test', 'Flaky', '-m', 'slow'],
    exitCode: 2,
    firstLine: 'otto: Suite Flaky declares no markers, so -m "slow" selects nothing.',
  },
  {
    name: 'a suite file with a TypeScript syntax error',
    ...suiteFile(
      'web.test.ts',
      "import { defineSuite } from 'otto-ts';\nexport default defineSuite({ name: 'Web' }, (t) => {\n  t.test('answers', () => { const status = ; });\n});\n",
    ),
    args: ['test', 'Web'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot load the module ${fileOf(repo, 'web.test.ts')}: syntax error at ${fileOf(repo, 'web.test.ts')}:3:44: Unexpected ";".`,
    check: ({ stderr }) =>
      expect(stderr.split('\n').slice(1)).toEqual([
        "  |   t.test('answers', () => { const status = ; });",
        '  |                                            ^',
        'Fix: correct the module, then run otto again.',
        '',
      ]),
  },
  {
    name: 'a JavaScript suite file with a syntax error, when listing',
    ...suiteFile('test_web.mjs', 'export const a = 1;\nexport const b = {;\n'),
    args: ['test', '--list-suites'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot load the module ${fileOf(repo, 'test_web.mjs')}: syntax error at ${fileOf(repo, 'test_web.mjs')}:2:19: Unexpected token ';'.`,
  },
  {
    name: 'a suite file that throws at its top level',
    ...suiteFile('web.spec.ts', "const what = 'web';\nthrow new Error('no config for ' + what);\n"),
    args: ['test', 'Web'],
    exitCode: 1,
    firstLine: (repo) =>
      `otto: Cannot load the module ${fileOf(repo, 'web.spec.ts')}: it threw while loading (at ${fileOf(repo, 'web.spec.ts')}:2:7): no config for web`,
  },
  {
    name: 'two suites with the same name',
    settings: TESTS,
    files: {
      'tests/a.test.ts':
        "import { defineSuite } from 'otto-ts';\nexport default defineSuite({ name: 'Web' }, () => {});\n",
      'tests/b.spec.ts':
        "import { defineSuite } from 'otto-ts';\nexport const web = defineSuite({ name: 'Web' }, () => {});\n",
    },
    args: ['test', 'Web'],
    exitCode: 2,
    firstLine: 'otto: Two suites have the same name:',
    check: ({ stderr }) =>
      expect(stderr.split('\n').slice(1)).toEqual([
        '  "Web" in demo (tests/a.test.ts) and in demo (tests/b.spec.ts)',
        'Fix: rename one of them; otto test needs one suite per name.',
        '',
      ]),
  },
  {
    name: 'a suite declaration with a bad name and tag',
    ...suiteFile(
      'web.test.ts',
      "import { defineSuite } from 'otto-ts';\nexport default defineSuite({ name: '9lives', tags: ['and'] }, () => {});\n",
    ),
    args: ['test', '--list-suites'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Cannot load the module ${fileOf(repo, 'web.test.ts')} (at ${fileOf(repo, 'web.test.ts')}:2:16): Invalid suite declaration "9lives":`,
    // Every problem of the declaration, at once.
    check: ({ stderr }) =>
      expect(stderr.split('\n').slice(1)).toEqual([
        '  name "9lives": use letters, digits, - and _, starting with a letter',
        '  tag "and": use letters, digits and _ . : / -, and not and, or, not',
        'Fix: correct the module (or what it imports), then run otto again.',
        '',
      ]),
  },
  {
    name: "a suite option that is one of otto test's own flags",
    ...suiteFile(
      'web.test.ts',
      "import { defineSuite } from 'otto-ts';\nexport default defineSuite({ name: 'Web', options: { iterations: { type: 'number' } } }, () => {});\n",
    ),
    args: ['test', 'Web'],
    exitCode: 2,
    firstLine: `otto: Suite "Web" declares options that are otto test's own: --iterations.`,
    check: secondLine('Fix: rename those options of the suite.'),
  },
  {
    name: 'a tests folder that does not exist',
    settings: TESTS,
    args: ['test', 'Checks'],
    exitCode: 2,
    firstLine: (repo) =>
      `otto: No suite "Checks". Suites: none (the tests folder ${join(repo.root, 'tests')} does not exist; see "tests" in .otto/settings.toml).`,
  },
  {
    name: 'listing the suites of a tests folder that does not exist',
    settings: 'tests = ["${sutDir}/test"]\n',
    files: basicsFiles(),
    args: ['test', '--list-suites'],
    exitCode: 0,
    firstLine: '',
    check: ({ stdout }, repo) =>
      expect(stdout).toBe(
        `No suites: the tests folder ${join(repo.root, 'test')} does not exist; see "tests" in .otto/settings.toml.\n`,
      ),
  },
  {
    name: 'a suite that declares no test',
    ...suiteFile(
      'web.test.ts',
      "import { defineSuite } from 'otto-ts';\nexport default defineSuite({ name: 'Web' }, () => {});\n",
    ),
    args: ['test', 'Web'],
    exitCode: 1,
    firstLine: 'Web: running tests/web.test.ts of demo',
    check: ({ stderr, stdout }) => {
      expect(stderr.split('\n')[1]).toBe('error: Web: no test ran.');
      expect(stdout).toMatch(/^\nWeb: 0 passed \(0 tests\) in \d/);
    },
  },
];
