import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { lazily, loadZod } from '../common/lazy-zod.js';
import { ConfigError } from '../errors.js';

/**
 * A repo's `.otto/settings.toml`, in otto 0.3.6's keys: `${sutDir}` stands for the repo root in
 * every string. `libs` and `init` name folders and modules to load at start-up (TypeScript or
 * JavaScript here); `lab_data_type` and `[coverage]` are accepted and ignored.
 */

function buildSettingsSchema() {
  const { z } = loadZod();
  const paths = z.array(z.string()).default([]);
  const options = z.record(z.string(), z.unknown());

  return z
    .object({
      name: z.string().min(1),
      version: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a version X.Y.Z'),
      labs: paths,
      libs: paths,
      tests: paths,
      init: paths,
      lab_data_type: z.string().optional(),
      host_defaults: z
        .object({
          ssh_options: options,
          telnet_options: options,
          sftp_options: options,
          scp_options: options,
          ftp_options: options,
          nc_options: options,
        })
        .partial()
        .strict()
        .default({}),
      docker: z
        .object({
          registry_url: z.string().default('docker.io'),
          images: z
            .array(
              z
                .object({
                  name: z.string(),
                  dockerfile: z.string(),
                  context: z.string(),
                  target: z.string().optional(),
                  build_args: z.record(z.string(), z.string()).optional(),
                })
                .strict(),
            )
            .default([]),
          composes: z
            .array(
              z
                .object({
                  path: z.string(),
                  default_host: z.string().optional(),
                  services: z.array(z.string()).default([]),
                })
                .strict(),
            )
            .default([]),
        })
        .strict()
        .optional(),
      reservations: z
        .object({ backend: z.string().default('none'), url: z.string().optional() })
        .catchall(z.unknown())
        .optional(),
      coverage: z.record(z.string(), z.unknown()).optional(),
    })
    .strict();
}

/** The schema of `.otto/settings.toml`, built on first use (zod loads only then). */
export const settingsSchema = lazily(buildSettingsSchema);

/** A repo's settings, `${sutDir}` expanded. */
export type RepoSettings = z.infer<ReturnType<typeof buildSettingsSchema>>;

/** A repo: a folder with `.otto/settings.toml`. */
export interface Repo {
  /** The repo root (`${sutDir}`). */
  root: string;
  settingsPath: string;
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
  const text = await readFile(settingsPath, 'utf8').catch((error: Error) => {
    throw new ConfigError(
      'SETTINGS_INVALID',
      `Cannot read the repo settings ${settingsPath}: ${error.message}`,
      { fix: 'point OTTO_SUT_DIRS at folders that hold .otto/settings.toml.' },
    );
  });
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    const where = error as { line?: number; column?: number; message: string };
    const position = where.line ? ` at line ${where.line}, column ${where.column}` : '';
    throw new ConfigError(
      'SETTINGS_INVALID',
      `Invalid TOML in ${settingsPath}${position}: ${where.message.split('\n')[0]}`,
    );
  }
  const parsed = settingsSchema().safeParse(expandSutDir(raw, root));
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) =>
        `  ${issue.path.join('.') || '(top)'}: ${issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : issue.message.replace(/^Invalid input: /, '')}`,
    );
    throw new ConfigError(
      'SETTINGS_INVALID',
      `The repo settings ${settingsPath} have ${lines.length === 1 ? '1 problem' : `${lines.length} problems`}:\n${lines.join('\n')}`,
    );
  }
  return { root, settingsPath, settings: parsed.data };
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
