import { userInfo } from 'node:os';

/**
 * Compose project names. Every stack otto starts is named `otto-<repo>-<user>` (lowercased, only
 * the characters compose accepts), so that concurrent users of one engine never share a stack;
 * `OTTO_COMPOSE_SUFFIX` replaces the user (e.g. one stack per CI job).
 */

/** The prefix of every compose project otto names. */
export const COMPOSE_PROJECT_PREFIX = 'otto-';

/** Options of {@link composeProjectName}. */
export interface ComposeProjectNameOptions {
  /** Where `OTTO_COMPOSE_SUFFIX` and the user are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The stack's position among the repo's `[[docker.composes]]`: the second gets `-2`. @default 0 */
  index?: number;
}

/**
 * The compose project name of a repo's stack: `otto-<repo>-<user>`, lowercased and sanitized.
 * @example composeProjectName('Demo') // 'otto-demo-alice'
 */
export function composeProjectName(repo: string, options: ComposeProjectNameOptions = {}): string {
  const env = options.env ?? process.env;
  const suffix = env.OTTO_COMPOSE_SUFFIX || currentUser(env);
  const index = options.index ?? 0;
  const parts = [repo, suffix, ...(index > 0 ? [String(index + 1)] : [])];
  return `${COMPOSE_PROJECT_PREFIX}${parts.map(sanitize).join('-')}`;
}

/** Compose accepts lowercase letters, digits, `-` and `_`, starting with a letter or digit. */
function sanitize(part: string): string {
  const cleaned = part
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return cleaned || 'x';
}

function currentUser(env: NodeJS.ProcessEnv): string {
  try {
    return env.USER || env.LOGNAME || userInfo().username;
  } catch {
    return 'user';
  }
}
