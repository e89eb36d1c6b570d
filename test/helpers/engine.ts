import { EngineClient } from '../../src/docker/engine/engine-client.js';

/** The engine the integration tests use (the global setup made sure it answers). */
export const engine = EngineClient.fromEnvironment();

/** Lists images carrying a label `key=value`. */
export async function listImagesWithLabel(
  key: string,
  value: string,
): Promise<Array<{ Id: string; RepoTags: string[] | null }>> {
  return engine.json({
    method: 'GET',
    path: '/images/json',
    query: { filters: JSON.stringify({ label: [`${key}=${value}`] }) },
  });
}
