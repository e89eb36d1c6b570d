/**
 * A suite as users write it, run from the packed package by `otto test ConsumerSuite`
 * (test/e2e/package.int.test.ts) and type-checked strictly with the consumer.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineOptions, defineSuite } from 'otto-ts';
import {
  container,
  defineFixtures,
  image,
  vitestFixtures,
  type FixtureContainer,
} from 'otto-ts/vitest';

// Docker fixtures from the package's otto-ts/vitest, typed, given to the suite's tests.
const fixtures = defineFixtures({ busybox: image('otto/busybox:latest') }).extend({
  web: container({
    image: ({ busybox }) => busybox.id,
    command: ['httpd', '-f', '-p', '8080'],
    ports: { '8080/tcp': null },
  }),
});

const repoOptions = defineOptions({
  device: { type: 'enum', choices: ['router', 'switch'], default: 'router' },
});

export default defineSuite(
  {
    name: 'ConsumerSuite',
    help: 'Typed options, folders and soft checks.',
    options: { ...repoOptions, word: { type: 'string', default: 'hi' } },
    tags: ['quick'],
    fixtures: vitestFixtures(fixtures),
  },
  (t) => {
    t.test('typed options', { tags: ['quick'] }, async ({ options, testDir }) => {
      const device: 'router' | 'switch' = options.device;
      const word: string = options.word;
      await writeFile(join(testDir, 'word.txt'), `${device} ${word}`);
      t.expect(word.length > 0, 'a word is given');
    });
    t.test('a container fixture', async ({ web }) => {
      const container: FixtureContainer = web;
      const { port } = container.getAddr('8080/tcp');
      t.expect(port > 0, 'its port is published');
      const said = (await container.run('echo up')).only().output;
      t.expect(said.trim() === 'up', `it runs commands (said ${JSON.stringify(said)})`);
    });
    t.test.for(['a', 'b'])('case %s', async (name, { testDir, iteration }) => {
      const count: number = iteration;
      await writeFile(join(testDir, 'case.txt'), `${name} ${count}`);
    });
  },
);
