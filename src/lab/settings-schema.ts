import type { z } from 'zod';
import { lazily, loadZod } from '../common/lazy-zod.js';
import type { RepoSettings } from './repo-settings.js';
import { optionTableSchemas, textSchema } from './schema-rules.js';

/**
 * The zod schema of a repo's `.otto/settings.toml` (otto 0.3.6's keys; every table strict but
 * `[reservations]`, whose further keys belong to its backend). Internal: users call readRepo and
 * get the plain {@link RepoSettings}.
 */

function buildSettingsSchema() {
  const { z } = loadZod();
  const text = textSchema(z);
  const paths = z.array(text).default([]);
  return z.strictObject({
    name: text,
    version: z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'expected a version X.Y.Z' }),
    labs: paths,
    libs: paths,
    tests: paths,
    init: paths,
    lab_data_type: z.string().optional(),
    host_defaults: z.strictObject(optionTableSchemas(z)).default({}),
    docker: z
      .strictObject({
        registry_url: z.string().default('docker.io'),
        images: z
          .array(
            z.strictObject({
              name: text,
              dockerfile: text,
              context: text,
              target: z.string().optional(),
              build_args: z.record(z.string(), z.string()).optional(),
            }),
          )
          .default([]),
        composes: z
          .array(
            z.strictObject({
              path: text,
              default_host: z.string().optional(),
              services: z.array(z.string()).default([]),
            }),
          )
          .default([]),
      })
      .optional(),
    reservations: z
      .object({ backend: z.string().default('none'), url: z.string().optional() })
      .catchall(z.unknown())
      .optional(),
    coverage: z.record(z.string(), z.unknown()).optional(),
  });
}

/** The schema of `.otto/settings.toml`, built on first use (zod loads only then). */
export const settingsSchema = lazily(buildSettingsSchema);

// RepoSettings is written by hand (a comment on each key, no zod in the published types); this
// makes the build fail when it and the schema drift apart, either way.
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const settingsMatchSchema: Same<
  z.output<ReturnType<typeof buildSettingsSchema>>,
  RepoSettings
> = true;
void settingsMatchSchema;
