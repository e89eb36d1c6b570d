/**
 * `otto-ts/playwright`: the Docker fixtures of `otto-ts/vitest`, for Playwright Test. The same
 * declarations (a {@link FixtureSet}) become Playwright fixtures with test and worker scopes.
 * See docs/fixtures.md.
 * @example
 * import { test as base } from '@playwright/test';
 * import { container, defineFixtures, dockerTest, image } from 'otto-ts/playwright';
 * const fixtures = defineFixtures({ busybox: image('otto/busybox:latest') }).extend({
 *   web: container({ image: '{busybox.id}', command: ['httpd', '-f', '-p', '8080'], ports: { '8080/tcp': null } }),
 * });
 * export const test = dockerTest(fixtures, base);
 */
export * from './fixtures/public-api.js';
export { dockerTest, playwrightFixtures } from './fixtures/playwright-adapter.js';
