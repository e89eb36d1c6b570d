import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../../errors.js';

/**
 * What otto needs of a user's compose file, read with the `yaml` package rather than
 * `compose config` (which costs a whole compose start-up): its services, networks and volumes, and
 * the bind mounts whose sources are on this machine.
 */

/** A bind mount of a service whose source is a path relative to the project folder. */
export interface ComposeBind {
  /** The source as resolved on this machine. */
  source: string;
  /** The path in the container. */
  target: string;
  /** `ro`, `rw` and the like, from the short syntax; undefined when none. */
  mode?: string;
}

/** A network or volume of the file. */
export interface ComposeResource {
  name: string;
  /** Declared `external`: made by someone else, never labelled or removed by us. */
  external: boolean;
  /** Its definition as written (an override repeats it: compose v1 replaces, not merges). */
  definition: Record<string, unknown>;
}

/** The parts of a compose file otto works with. */
export interface ComposeFileModel {
  /** The file, absolute. */
  path: string;
  /** The folder compose resolves relative paths against (the file's). */
  projectDir: string;
  /** The file's `version`, when it has one (an override must repeat it for compose v1). */
  version?: string;
  /** Service names, in file order. */
  services: string[];
  /** Relative bind mounts, by service. */
  binds: Map<string, ComposeBind[]>;
  /** Declared networks (not counting `default` unless the file declares it). */
  networks: ComposeResource[];
  /** Declared named volumes. */
  volumes: ComposeResource[];
}

/**
 * Reads a compose file. A missing or unreadable file, a YAML syntax error or a file that is not a
 * mapping with `services` is a ConfigError `COMPOSE_FILE_INVALID` naming the file (and line).
 * @example const model = await readComposeFile('/repo/docker/compose.yml');
 */
export async function readComposeFile(path: string): Promise<ComposeFileModel> {
  const absolute = resolve(path);
  const text = await readFile(absolute, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw invalid(absolute, error.code === 'ENOENT' ? 'no such file' : error.message, error);
  });
  return parseComposeText(text, absolute);
}

/** {@link readComposeFile} on text already read; `path` names it and gives the project folder. */
export function parseComposeText(text: string, path: string): ComposeFileModel {
  const document = parseDocument(text);
  const [syntax] = document.errors;
  // The message ends with its position and a code frame: keep its first line only.
  if (syntax)
    throw invalid(path, `YAML syntax error: ${syntax.message.split('\n')[0]!.replace(/:$/, '')}`);
  const root: unknown = document.toJS();
  if (!isRecord(root) || !isRecord(root.services))
    throw invalid(path, 'it has no `services` mapping');
  const projectDir = dirname(path);
  const services = Object.keys(root.services);
  const binds = new Map<string, ComposeBind[]>();
  for (const name of services) {
    const found = bindsOf(root.services[name], projectDir);
    if (found.length > 0) binds.set(name, found);
  }
  return {
    path,
    projectDir,
    version:
      typeof root.version === 'string' || typeof root.version === 'number'
        ? String(root.version)
        : undefined,
    services,
    binds,
    networks: resourcesOf(root.networks),
    volumes: resourcesOf(root.volumes),
  };
}

function bindsOf(service: unknown, projectDir: string): ComposeBind[] {
  if (!isRecord(service) || !Array.isArray(service.volumes)) return [];
  return service.volumes.flatMap((entry: unknown) => {
    const bind = typeof entry === 'string' ? parseShortVolume(entry) : parseLongVolume(entry);
    // Absolute sources name the engine's machine; `${VAR}` ones are compose's to expand.
    if (!bind || !bind.source.startsWith('.') || bind.source.includes('$')) return [];
    return [{ ...bind, source: resolve(projectDir, bind.source) }];
  });
}

function parseShortVolume(entry: string): ComposeBind | undefined {
  const [source, target, mode] = entry.split(':');
  if (!source || !target || !(source.startsWith('.') || isAbsolute(source))) return undefined;
  return { source, target, ...(mode !== undefined && { mode }) };
}

function parseLongVolume(entry: unknown): ComposeBind | undefined {
  if (!isRecord(entry) || entry.type !== 'bind') return undefined;
  const { source, target } = entry;
  if (typeof source !== 'string' || typeof target !== 'string') return undefined;
  return { source, target, ...(entry.read_only === true && { mode: 'ro' }) };
}

function resourcesOf(section: unknown): ComposeResource[] {
  if (!isRecord(section)) return [];
  return Object.entries(section).map(([name, value]) => ({
    name,
    external: isRecord(value) && Boolean(value.external),
    definition: isRecord(value) ? value : {},
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(path: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError('COMPOSE_FILE_INVALID', `Cannot read compose file ${path}: ${why}.`, {
    cause,
  });
}
