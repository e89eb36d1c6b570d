/**
 * `otto-ts/vitest`: declarative Docker fixtures for Vitest, in the manner of pytest-docker-tools.
 * Declare images, containers, networks and volumes once; tests name the ones they need, and
 * each is made in dependency order, shared by its scope (test, file, worker or the whole run)
 * and removed after. See docs/fixtures.md.
 * @example
 * import { build, container, defineFixtures, dockerTest } from 'otto-ts/vitest';
 * const fixtures = defineFixtures({ apiImage: build({ path: 'docker/api' }) }).extend({
 *   api: container({ image: ({ apiImage }) => apiImage.id, ports: { '8080/tcp': null } }),
 * });
 * export const test = dockerTest(fixtures);
 * test('answers', async ({ api }) => { const { host, port } = api.getAddr('8080/tcp'); ... });
 */
export * from './fixtures/public-api.js';
export { dockerTest, vitestFixtures, type VitestFixtures } from './fixtures/vitest-adapter.js';
