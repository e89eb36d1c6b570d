import { basename } from 'node:path';
import { pathExists } from '../common/path-exists.js';
import { quotePosix } from '../common/quote.js';
import type { ComposeFileModel } from '../docker/compose/compose-file.js';
import type { Host } from '../hosts/host.js';

/**
 * Bind mounts on a remote engine. Compose resolves a relative bind source (`./conf:/etc/app`) to
 * a path on this machine, but the engine mounts paths of its own machine; so for a parent reached
 * over SSH, each such source is copied into a staging folder on the parent (with the parent's
 * `put`) and the override points the mount there. `down` removes the folder.
 */

/** The staging folder of a project on its parent (one per project, so `down` finds it). */
export function stagingDirOf(project: string): string {
  return `/tmp/otto-compose-${project}`;
}

/**
 * Copies the relative bind sources of `services` to the parent and returns where each went. A
 * source missing on this machine is left to compose (the engine makes an empty folder).
 */
export async function stageBindSources(
  parent: Host,
  project: string,
  model: ComposeFileModel,
  services: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const sources = new Set<string>();
  for (const service of services)
    for (const bind of model.binds.get(service) ?? []) sources.add(bind.source);
  const present: string[] = [];
  for (const source of sources) if (await pathExists(source)) present.push(source);
  const staged = new Map<string, string>();
  if (present.length === 0) return staged;
  const dir = stagingDirOf(project);
  await parent.oneshot(`rm -rf ${quotePosix(dir)} && mkdir -p -m 700 ${quotePosix(dir)}`, {
    signal,
    check: true,
  });
  for (const [index, source] of present.entries()) {
    const into = `${dir}/${index}`;
    await parent.put([source], into, { signal });
    staged.set(source, `${into}/${basename(source)}`);
  }
  return staged;
}

/** Removes a project's staging folder from its parent (nothing there is fine). */
export async function removeStaging(parent: Host, project: string): Promise<void> {
  await parent.oneshot(`rm -rf ${quotePosix(stagingDirOf(project))}`, { check: true });
}
