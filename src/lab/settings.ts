import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { readConfigFile } from './read-config-file.js';
import type { RepoSettings } from './repo-settings.js';
import { settingsSchema } from './settings-schema.js';
import {
  describeIssues,
  findNulCharacters,
  genericIssueMessage,
  type SchemaProblem,
} from './schema-issues.js';

/**
 * A repo's `.otto/settings.toml`, in otto 0.3.6's keys: `${sutDir}` stands for the repo root in
 * every string. `libs` and `init` name folders and modules to load at start-up (TypeScript or
 * JavaScript here); `lab_data_type` and `[coverage]` are accepted and ignored.
 */

export type {
  RepoDockerCompose,
  RepoDockerImage,
  RepoDockerSettings,
  RepoReservationSettings,
  RepoSettings,
} from './repo-settings.js';

/** A repo: a folder with `.otto/settings.toml`. */
export interface Repo {
  /** The repo root (`${sutDir}`). */
  root: string;
  /** Its `.otto/settings.toml`. */
  settingsPath: string;
  /** The settings, checked, `${sutDir}` expanded, defaults filled. */
  settings: RepoSettings;
}

/** Where a repo keeps its settings, below its root. */
export const SETTINGS_PATH = join('.otto', 'settings.toml');

/**
 * Reads a repo's settings. A TOML syntax error gives its line and column; every schema problem
 * is reported at once with its key path (ConfigError `SETTINGS_INVALID`).
 * @example const repo = await readRepo('/src/my_project');
 */
export async function readRepo(root: string): Promise<Repo> {
  const settingsPath = join(root, SETTINGS_PATH);
  const read = await readConfigFile(settingsPath);
  if ('problem' in read) throw unreadableSettings(settingsPath, read.problem);
  let raw: unknown;
  try {
    raw = parseToml(read.text);
  } catch (error) {
    const where = error as { line?: number; column?: number; message: string };
    const position = where.line ? ` at line ${where.line}, column ${where.column}` : '';
    throw new ConfigError(
      'SETTINGS_INVALID',
      `Invalid TOML in ${settingsPath}${position}: ${where.message.split('\n')[0]}`,
    );
  }
  const schema = settingsSchema();
  const parsed = schema.safeParse(expandSutDir(raw, root), {
    reportInput: true,
    error: genericIssueMessage,
  });
  const nul = findNulCharacters(raw);
  const paths = new Set(nul.map((problem) => problem.path));
  const problems = [
    ...nul,
    ...(parsed.success ? [] : describeIssues(parsed.error.issues, { schema, keyWord: 'key' })),
  ].filter((problem, index) => index < nul.length || !paths.has(problem.path));
  if (problems.length > 0 || !parsed.success) throw invalidSettings(settingsPath, problems);
  return { root, settingsPath, settings: parsed.data };
}

function unreadableSettings(settingsPath: string, problem: string): ConfigError {
  if (problem.startsWith('cannot read it: '))
    return new ConfigError(
      'SETTINGS_INVALID',
      `Cannot read the repo settings ${settingsPath}: ${problem.slice('cannot read it: '.length)}`,
      { fix: 'point OTTO_SUT_DIRS at folders that hold .otto/settings.toml.' },
    );
  return new ConfigError(
    'SETTINGS_INVALID',
    `Invalid repo settings ${settingsPath}: it ${problem}`,
  );
}

/** One problem on the first line; several counted there and listed below, one a line. */
function invalidSettings(settingsPath: string, problems: SchemaProblem[]): ConfigError {
  const lines = problems.map((problem) => `${problem.path ?? '(top)'}: ${problem.message}`);
  const summary = `The repo settings ${settingsPath} have`;
  if (lines.length === 1)
    return new ConfigError('SETTINGS_INVALID', `${summary} 1 problem: ${lines[0]}`);
  return new ConfigError(
    'SETTINGS_INVALID',
    `${summary} ${lines.length} problems:\n${lines.map((line) => `  ${line}`).join('\n')}`,
  );
}

/** Replaces `${sutDir}` in every string of a parsed TOML value, nested tables and arrays included. */
export function expandSutDir(value: unknown, root: string): unknown {
  if (typeof value === 'string') return value.replaceAll('${sutDir}', root);
  if (Array.isArray(value)) return value.map((item) => expandSutDir(item, root));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandSutDir(item, root)]),
    );
  }
  return value;
}
