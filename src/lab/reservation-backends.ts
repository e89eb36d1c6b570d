import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { lazily, loadZod } from '../common/lazy-zod.js';
import { ConfigError, ReservationError } from '../errors.js';
import { closestIds } from './closest.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { readConfigFile } from './read-config-file.js';
import { describeIssues, genericIssueMessage } from './schema-issues.js';
import type { Repo } from './settings.js';
import { findUserModule, importUserModule } from './user-modules.js';

/**
 * Reservation backends: read-only views of the external scheduler that says who holds which lab
 * resources (otto never writes reservations). A repo's `[reservations] backend` picks one: `none`
 * holds everything, `json` reads a reservations file at each check, and `"<module>:<ExportName>"`
 * loads a user's class or factory. Backends may throw anything; the gate fails closed on it.
 */

/** A read-only source of reservations. */
export interface ReservationBackend {
  /** For messages, e.g. `none`, `json (/path/reservations.json)`, `module ./res.ts:LabScheduler`. */
  readonly name: string;
  /** True for a backend that gates nothing (`none`): every resource counts as held, unasked. */
  readonly holdsEverything?: boolean;
  /** The resources `user` holds now. */
  reservedResources(user: string): Promise<Set<string>>;
  /** Who holds `resource` now, or undefined when nobody does. */
  whoReserved(resource: string): Promise<string | undefined>;
}

/** The `none` backend: no reservation system, so the gate lets everything pass. */
export const NONE_BACKEND: ReservationBackend = Object.freeze({
  name: 'none',
  holdsEverything: true,
  reservedResources: () => Promise.resolve(new Set<string>()),
  whoReserved: () => Promise.resolve(undefined),
});

/**
 * The backend of the first repo that has a `[reservations]` section; {@link NONE_BACKEND} when no
 * repo has one. A wrong section is a {@link ConfigError} `RESERVATION_CONFIG`.
 * @example const backend = await createReservationBackend(await findRepos());
 */
export async function createReservationBackend(
  repos: readonly Repo[],
): Promise<ReservationBackend> {
  const repo = repos.find((candidate) => candidate.settings.reservations !== undefined);
  const spec = repo?.settings.reservations?.backend ?? 'none';
  if (!repo || spec === 'none') return NONE_BACKEND;
  if (spec === 'json') return createJsonBackend(findJsonFile(repo));
  if (spec.includes(':')) return loadModuleBackend(repo, spec);
  const near = closestIds(spec, ['none', 'json']);
  throw configError(
    repo,
    `unknown backend "${spec}"${near ? ` (did you mean ${near}?)` : ''}`,
    'set backend = "none", "json" or "<module path>:<ExportName>" (e.g. "./otto/scheduler.ts:LabScheduler").',
  );
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The `reservations.json` format (otto 0.3.6). Unknown keys are ignored, so that a scheduler may
 * add its own. `expires` without a time zone is local time; a date alone is midnight UTC.
 */
function buildReservationsFileSchema() {
  const { z } = loadZod();
  return z.object({
    version: z.literal(1),
    reservations: z.array(
      z.object({
        user: z.string().min(1),
        resources: z.array(z.string()),
        expires: z
          .string()
          .refine((text) => ISO_DATE.test(text) && !Number.isNaN(Date.parse(text)), {
            message: 'expected an ISO-8601 date-time, e.g. 2026-12-01T00:00:00Z',
          })
          .nullish(),
      }),
    ),
  });
}

/** The schema of `reservations.json`, built on first use. */
const reservationsFileSchema = lazily(buildReservationsFileSchema);

type ReservationEntry = z.infer<
  ReturnType<typeof buildReservationsFileSchema>
>['reservations'][number];

/**
 * The `json` backend: reads `file` at every call (the scheduler that writes it is authoritative).
 * Expired entries are ignored, a user's entries add up, and the first entry naming a resource says
 * who holds it. A missing, unreadable or invalid file is a {@link ReservationError}
 * `RESERVATION_BACKEND` naming the file and, for each problem, the field.
 * @example const backend = createJsonBackend('/labs/reservations.json');
 */
export function createJsonBackend(file: string, now: () => number = Date.now): ReservationBackend {
  const readActive = async (): Promise<ReservationEntry[]> => {
    const nowMs = now();
    return (await readReservationsFile(file)).filter(
      (entry) => !entry.expires || Date.parse(entry.expires) > nowMs,
    );
  };
  return {
    name: `json (${file})`,
    async reservedResources(user) {
      const mine = (await readActive()).filter((entry) => entry.user === user);
      return new Set(mine.flatMap((entry) => entry.resources));
    },
    async whoReserved(resource) {
      return (await readActive()).find((entry) => entry.resources.includes(resource))?.user;
    },
  };
}

async function readReservationsFile(file: string): Promise<ReservationEntry[]> {
  const read = await readConfigFile(file);
  if ('problem' in read) throw backendError(`The reservations file ${file}: ${read.problem}`);
  let data: unknown;
  try {
    data = JSON.parse(read.text);
  } catch (error) {
    const found = findJsonSyntaxError(read.text);
    const where = found ? ` at line ${found.line}, column ${found.column}` : '';
    const why = found?.message ?? (error as Error).message;
    throw backendError(`The reservations file ${file} is not valid JSON${where}: ${why}`, error);
  }
  const schema = reservationsFileSchema();
  const parsed = schema.safeParse(data, { reportInput: true, error: genericIssueMessage });
  if (parsed.success) return parsed.data.reservations;
  const lines = describeIssues(parsed.error.issues, { schema, keyWord: 'key' }).map(
    (problem) => `  ${problem.path ?? '(top)'}: ${problem.message}`,
  );
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  throw backendError(`The reservations file ${file} has ${count}:\n${lines.join('\n')}`);
}

/** `[reservations.json] path` (relative to the repo root), else `url` when it names a file. */
function findJsonFile(repo: Repo): string {
  const section = repo.settings.reservations!;
  const table = tableOf(repo, 'json');
  if (table.path !== undefined) {
    if (typeof table.path === 'string' && table.path) return resolve(repo.root, table.path);
    throw configError(repo, '[reservations.json] path must be a file path', FIX_JSON);
  }
  const url = section.url;
  if (!url) throw configError(repo, 'the json backend has no file', FIX_JSON);
  if (/^file:/i.test(url)) return fileOfUrl(repo, url);
  if (!/^[a-z][a-z\d+.-]+:/i.test(url)) return resolve(repo.root, url);
  throw configError(repo, `the json backend reads files only, not url "${url}"`, FIX_JSON);
}

function fileOfUrl(repo: Repo, url: string): string {
  try {
    return fileURLToPath(url);
  } catch (error) {
    const why = (error as Error).message;
    throw configError(repo, `url "${url}" is not a usable file: URL (${why})`, FIX_JSON, error);
  }
}

const FIX_JSON =
  'add [reservations.json] path = "reservations.json" (relative to the repo root), or set [reservations] url = "file:///path/reservations.json".';

/** Loads `"<module path>:<ExportName>"`: a class or a factory, given its table's keys and `url`. */
async function loadModuleBackend(repo: Repo, spec: string): Promise<ReservationBackend> {
  const colon = spec.lastIndexOf(':');
  const [modulePath, exportName] = [spec.slice(0, colon), spec.slice(colon + 1)];
  if (!modulePath || !/^[A-Za-z_$][\w$]*$/.test(exportName))
    throw configError(repo, `backend "${spec}" is not "<module path>:<ExportName>"`, FIX_MODULE);
  const exports = await importBackendModule(repo, spec, modulePath);
  const exported = exports[exportName];
  if (typeof exported !== 'function') {
    const found = Object.keys(exports).sort().join(', ') || 'nothing';
    throw configError(
      repo,
      `backend "${spec}": the module exports no class or function ${exportName} (it exports ${found})`,
      FIX_MODULE,
    );
  }
  const url = repo.settings.reservations!.url;
  const options = { ...tableOf(repo, exportName), ...(url === undefined ? {} : { url }) };
  const name = `module ${spec}`;
  return adaptBackend(
    repo,
    spec,
    await constructBackend(exported as BackendClass | BackendFactory, options, name),
    name,
  );
}

async function importBackendModule(
  repo: Repo,
  spec: string,
  modulePath: string,
): Promise<Record<string, unknown>> {
  const libs = repo.settings.libs.map((dir) => resolve(repo.root, dir));
  try {
    return await importUserModule(await findUserModule(modulePath, repo.root, libs));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw configError(repo, `cannot load backend "${spec}": ${reason}`, FIX_MODULE, error);
  }
}

const FIX_MODULE =
  'set backend = "<module path>:<ExportName>", the path relative to the repo root, naming an exported class or factory (e.g. "./otto/scheduler.ts:LabScheduler").';

type BackendClass = new (options: Record<string, unknown>) => unknown;
type BackendFactory = (options: Record<string, unknown>) => unknown;

async function constructBackend(
  exported: BackendClass | BackendFactory,
  options: Record<string, unknown>,
  name: string,
): Promise<unknown> {
  const prototype = exported.prototype as { reservedResources?: unknown } | undefined;
  const isClass =
    /^class\b/.test(Function.prototype.toString.call(exported)) ||
    typeof prototype?.reservedResources === 'function';
  try {
    if (isClass) return new (exported as BackendClass)(options);
    return await (exported as BackendFactory)(options);
  } catch (error) {
    throw backendError(
      `The reservation backend ${name} failed to start: ${error instanceof Error ? error.message : String(error)}`,
      error,
      SKIP_HINT,
    );
  }
}

interface BackendShape {
  name?: unknown;
  reservedResources(user: string): unknown;
  whoReserved(resource: string): unknown;
}

/** Checks a user backend's shape and guards what it returns (a Set or array; a string or none). */
function adaptBackend(
  repo: Repo,
  spec: string,
  made: unknown,
  fallbackName: string,
): ReservationBackend {
  const shape = (made ?? {}) as Partial<BackendShape>;
  const lacking = (['reservedResources', 'whoReserved'] as const).filter(
    (method) => typeof shape[method] !== 'function',
  );
  if (lacking.length > 0)
    throw configError(
      repo,
      `backend "${spec}" made an object without ${lacking.map((method) => `${method}()`).join(' and ')}`,
      'export a class, or a function returning an object, with async reservedResources(user) and whoReserved(resource) methods.',
    );
  const backend = shape as BackendShape;
  const name = typeof backend.name === 'string' && backend.name ? backend.name : fallbackName;
  return {
    name,
    async reservedResources(user) {
      const held = await backend.reservedResources(user);
      if (held instanceof Set || Array.isArray(held)) return new Set(held as Iterable<string>);
      throw backendError(`reservedResources("${user}") returned ${describeValue(held)}, not a Set`);
    },
    async whoReserved(resource) {
      const holder = await backend.whoReserved(resource);
      if (holder === undefined || holder === null || typeof holder === 'string')
        return holder ?? undefined;
      throw backendError(
        `whoReserved("${resource}") returned ${describeValue(holder)}, not a string`,
      );
    },
  };
}

function describeValue(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : typeof value;
}

/** The `[reservations.<key>]` table of a repo's settings, empty when absent. */
function tableOf(repo: Repo, key: string): Record<string, unknown> {
  const table = repo.settings.reservations?.[key];
  if (table === undefined) return {};
  if (typeof table === 'object' && table !== null && !Array.isArray(table))
    return table as Record<string, unknown>;
  throw configError(repo, `[reservations] ${key} must be a table ([reservations.${key}])`);
}

/** The hint of every backend failure: the gate fails closed, -R runs without it. */
export const SKIP_HINT =
  'fix the reservation backend, or pass -R/--skip-reservation-check to run without the reservation gate.';

function backendError(summary: string, cause?: unknown, fix?: string): ReservationError {
  return new ReservationError('RESERVATION_BACKEND', summary, { cause, fix });
}

function configError(repo: Repo, why: string, fix?: string, cause?: unknown): ConfigError {
  return new ConfigError(
    'RESERVATION_CONFIG',
    `Invalid [reservations] in ${repo.settingsPath}: ${why}.`,
    { fix, cause },
  );
}
