import { randomBytes } from 'node:crypto';
import { readRepo, type Repo } from '../../src/lab/settings.js';
import { makeTempRepo, type TempRepo } from './temp-repo.js';

/**
 * A repo declaring one compose stack of two `otto/busybox` services that sleep: `web` with a
 * relative bind mount (`./site`, read-only) and a named volume, `worker` on a network of its own
 * besides the default one.
 */
export const COMPOSE_YAML = `services:
  web:
    image: otto/busybox:latest
    command: ["sleep", "3600"]
    volumes:
      - ./site:/srv/site:ro
      - cache:/cache
  worker:
    image: otto/busybox:latest
    command: ["sleep", "3600"]
    networks: [default, backend]
networks:
  backend: {}
volumes:
  cache: {}
`;

/** A unique `OTTO_COMPOSE_SUFFIX`, so concurrent test files never share a project. */
export function uniqueComposeSuffix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** Writes the repo (settings `extra` appended, `hosts` as the lab) and reads it back. */
export async function makeComposeRepo(
  options: { settings?: string; hosts?: unknown; compose?: string } = {},
): Promise<TempRepo & { repo: Repo }> {
  const temp = await makeTempRepo({
    settings: `[[docker.composes]]\npath = "compose/stack.yml"\n${options.settings ?? ''}`,
    hosts: options.hosts,
    files: {
      'compose/stack.yml': options.compose ?? COMPOSE_YAML,
      'compose/site/index.html': 'hello from the site\n',
    },
  });
  return { ...temp, repo: await readRepo(temp.root) };
}
