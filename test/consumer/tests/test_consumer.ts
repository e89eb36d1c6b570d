/**
 * A suite as users write it, run from the packed package by `otto test ConsumerSuite`
 * (test/e2e/package.int.test.ts) and type-checked strictly with the consumer.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineOptions, defineSuite } from 'otto-ts';

const repoOptions = defineOptions({
  device: { type: 'enum', choices: ['router', 'switch'], default: 'router' },
});

export default defineSuite(
  {
    name: 'ConsumerSuite',
    help: 'Typed options, folders and soft checks.',
    options: { ...repoOptions, word: { type: 'string', default: 'hi' } },
    tags: ['quick'],
  },
  (t) => {
    t.test('typed options', { tags: ['quick'] }, async ({ options, testDir }) => {
      const device: 'router' | 'switch' = options.device;
      const word: string = options.word;
      await writeFile(join(testDir, 'word.txt'), `${device} ${word}`);
      t.expect(word.length > 0, 'a word is given');
    });
    t.test.for(['a', 'b'])('case %s', async (name, { testDir, iteration }) => {
      const count: number = iteration;
      await writeFile(join(testDir, 'case.txt'), `${name} ${count}`);
    });
  },
);
