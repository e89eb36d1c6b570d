import { afterEach } from 'vitest';
import { removeContainer } from '../../src/docker/containers/started-container.js';
import type { FixtureContainer } from '../../src/fixtures/fixture-container.js';
import { startContainerFixture } from '../../src/fixtures/start-container.js';
import { engine } from './engine.js';

/**
 * `startContainerFixture` for a test file, remembering each container it started (and any id
 * given to `track`): every one is removed after its test, whatever happened. Call once at the top
 * of the file.
 */
export function trackedContainerStarts(): {
  start: typeof startContainerFixture;
  track: (containerId: string) => void;
} {
  const made = new Set<string>();
  afterEach(async () => {
    for (const id of made) await removeContainer(engine, id).catch(() => undefined);
    made.clear();
  });
  const start = async (
    ...args: Parameters<typeof startContainerFixture>
  ): Promise<FixtureContainer> => {
    const container = await startContainerFixture(...args);
    made.add(container.containerId);
    return container;
  };
  return { start, track: (id) => void made.add(id) };
}
