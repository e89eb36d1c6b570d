import { isAbsolute, resolve } from 'node:path';
import { readComposeFile, type ComposeFileModel } from '../docker/compose/compose-file.js';
import { composeProjectName } from '../docker/compose/compose-project.js';
import { ConfigError } from '../errors.js';
import { closestIds } from './closest.js';
import type { RepoDockerCompose } from './repo-settings.js';
import type { Repo } from './settings.js';
import {
  dockerParentFor,
  LOCAL_PARENT_ID,
  type DockerParent,
  type HostSource,
} from './docker-parents.js';
import type { Lab } from './lab.js';
import { emptyLab } from './lab-host-pool.js';

/**
 * From a repo's `[[docker.composes]]` entry to what a stack operation needs: the compose file
 * (absolute), its parent id, its project name and its services, checked against the file.
 */

/** Which `[[docker.composes]]` entry: its position, or its `path` as written in the settings. */
export type ComposeSelector = number | string;

/** One declared stack of a repo, before its file is read. */
export interface DeclaredStack {
  repo: Repo;
  /** The repo's name. */
  repoName: string;
  entry: RepoDockerCompose;
  /** Its position among the repo's `[[docker.composes]]`. */
  index: number;
  /** The compose file, absolute. */
  path: string;
  /** The compose project name. */
  project: string;
  /** The parent whose engine runs it: `--on`, else `default_host`, else `local`. */
  parentId: string;
}

/** The repo's declared stacks (every `[[docker.composes]]`), in settings order. */
export function declaredStacksOf(repo: Repo, on?: string): DeclaredStack[] {
  const composes = repo.settings.docker?.composes ?? [];
  return composes.map((entry, index) => ({
    repo,
    repoName: repo.settings.name,
    entry,
    index,
    path: isAbsolute(entry.path) ? entry.path : resolve(repo.root, entry.path),
    project: composeProjectName(repo.settings.name, { index }),
    parentId: on ?? entry.default_host ?? LOCAL_PARENT_ID,
  }));
}

/** The declared stack `selector` names; none declared, or no such one, is a ConfigError. */
export function findDeclaredStack(
  repo: Repo,
  selector: ComposeSelector = 0,
  on?: string,
): DeclaredStack {
  const stacks = declaredStacksOf(repo, on);
  const found =
    typeof selector === 'number'
      ? stacks[selector]
      : stacks.find((stack) => stack.entry.path === selector || stack.path === resolve(selector));
  if (found) return found;
  const declared = stacks.map((stack) => stack.entry.path);
  throw new ConfigError(
    'COMPOSE_NOT_DECLARED',
    declared.length === 0
      ? `Repo "${repo.settings.name}" declares no compose stack (no [[docker.composes]] in ${repo.settingsPath}).`
      : `Repo "${repo.settings.name}" declares no compose stack ${JSON.stringify(selector)}; it declares: ${declared.join(', ')}.`,
    { fix: 'add a [[docker.composes]] entry with the path of the compose file.' },
  );
}

/**
 * The services a stack starts: those asked for, else the entry's `services`, else every service
 * of the file. A name the file does not declare is a ConfigError `UNKNOWN_SERVICE` listing those
 * it does.
 */
export function selectServices(
  stack: DeclaredStack,
  model: ComposeFileModel,
  asked?: readonly string[],
): string[] {
  const wanted = asked?.length
    ? asked
    : stack.entry.services.length
      ? stack.entry.services
      : undefined;
  if (!wanted) return [...model.services];
  const unknown = wanted.filter((name) => !model.services.includes(name));
  if (unknown.length > 0) throw unknownServices(stack, model, unknown);
  return [...new Set(wanted)];
}

function unknownServices(
  stack: DeclaredStack,
  model: ComposeFileModel,
  unknown: string[],
): ConfigError {
  const closest = unknown.flatMap((name) => closestIds(name, model.services) ?? []);
  return new ConfigError(
    'UNKNOWN_SERVICE',
    `Unknown service${unknown.length === 1 ? '' : 's'} ${unknown.map((name) => `"${name}"`).join(', ')} in compose stack ${stack.path} of repo "${stack.repoName}"; it declares: ${model.services.join(', ')}.`,
    {
      ...(closest.length > 0 && { fix: `did you mean ${closest.join(' or ')}?` }),
    },
  );
}

/** Reads the stack's compose file and picks its services. */
export async function readStack(
  stack: DeclaredStack,
  asked?: readonly string[],
): Promise<{ model: ComposeFileModel; services: string[] }> {
  const model = await readComposeFile(stack.path);
  return { model, services: selectServices(stack, model, asked) };
}

const NO_HOSTS: HostSource = {
  get: (id) => {
    throw new Error(`no host source given for lab host "${id}"`);
  },
};

/** The parent of a stack, from the lab and host source given (none: only `local` exists). */
export function openStackParent(
  where: { lab?: Lab; hosts?: HostSource },
  parentId: string,
): DockerParent {
  return dockerParentFor(where.lab ?? emptyLab(), where.hosts ?? NO_HOSTS, parentId);
}
