import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { closestIds } from './closest.js';
import { readLabFile, type LabFileHost, type LabProblem } from './lab-file.js';

/** A loaded lab: its hosts by id, its resources, and what was noticed on the way. */
export interface Lab {
  /** The lab names merged, in order. */
  names: string[];
  /** The hosts, by id (a later lab wins on a duplicate id). */
  hosts: Map<string, LabFileHost>;
  /** Union of the hosts' reservation tags. */
  resources: Set<string>;
  /** Things worth saying that are not errors, e.g. a host id defined twice. */
  warnings: string[];
}

/** Options of {@link loadLab}. */
export interface LoadLabOptions {
  /** Lab names to merge, in order (later wins on a duplicate host id). */
  names: readonly string[];
  /** Folders holding a `hosts.json` each (repo settings' `labs`). */
  dirs: readonly string[];
}

/** The file a lab folder holds. */
export const LAB_FILE_NAME = 'hosts.json';

/**
 * Loads and merges labs from lab folders. Every problem of every file is reported at once, with
 * file, host and field, in one {@link ConfigError} (`LAB_INVALID`), together with unknown hops,
 * hops that are not SSH hosts and hop cycles. Unknown lab names (when the files are sound) are a
 * ConfigError `UNKNOWN_LAB` naming the labs that exist.
 * @example const lab = await loadLab({ names: ['veggies'], dirs: ['/repo/../lab_data/tech1'] });
 */
export async function loadLab(options: LoadLabOptions): Promise<Lab> {
  const contents = await Promise.all(
    options.dirs.map((dir) => readLabFile(join(dir, LAB_FILE_NAME))),
  );
  const problems = contents.flatMap((content) => content.problems);
  const all = contents.flatMap((content) => content.hosts);
  const lab: Lab = {
    names: [...options.names],
    hosts: new Map(),
    resources: new Set(),
    warnings: [],
  };
  const known = new Set(all.flatMap((host) => host.labs));
  const unknown = options.names.filter((name) => !known.has(name));
  // Invalid hosts hide their labs: name unknown labs only when the files themselves are sound.
  if (unknown.length > 0 && problems.length === 0)
    throw unknownLabError(unknown, known, options.dirs);
  for (const name of options.names)
    for (const host of all.filter((candidate) => candidate.labs.includes(name))) addHost(lab, host);
  // A hop to a host that is invalid is not missing: that host's own problems are listed.
  const invalidIds = new Set(problems.map((problem) => problem.hostId));
  problems.push(...checkHops(lab, invalidIds));
  if (problems.length > 0) throw labError(problems);
  return lab;
}

function addHost(lab: Lab, host: LabFileHost): void {
  const previous = lab.hosts.get(host.id);
  if (previous && previous !== host)
    lab.warnings.push(
      `host "${host.id}" is defined in ${previous.file} and again in ${host.file}; the later one is used`,
    );
  lab.hosts.set(host.id, host);
  for (const resource of host.entry.resources ?? []) lab.resources.add(resource);
}

/** Every hop must name a host of the lab, and no chain may come back to a host it passed. */
function checkHops(lab: Lab, invalidIds: ReadonlySet<string | undefined>): LabProblem[] {
  const problems: LabProblem[] = [];
  for (const host of lab.hosts.values()) {
    const chain = [host.id];
    for (let hop = host.entry.hop; hop !== undefined; hop = lab.hosts.get(hop)?.entry.hop) {
      if (!lab.hosts.has(hop)) {
        if (invalidIds.has(hop)) break;
        problems.push({
          file: host.file,
          host: host.id,
          path: 'hop',
          message: `no host "${hop}" in the lab${closest(hop, [...lab.hosts.keys()])}`,
        });
        break;
      }
      const hopEntry = lab.hosts.get(hop)!.entry;
      if ((hopEntry.term ?? 'ssh') !== 'ssh') {
        problems.push({
          file: host.file,
          host: host.id,
          path: 'hop',
          message: `"${hop}" uses term "${hopEntry.term}"; a hop must be an SSH host`,
        });
        break;
      }
      if (chain.includes(hop)) {
        problems.push({
          file: host.file,
          host: host.id,
          path: 'hop',
          message: `hop cycle: ${[...chain, hop].join(' -> ')}`,
        });
        break;
      }
      chain.push(hop);
    }
  }
  return problems;
}

function unknownLabError(
  unknown: readonly string[],
  known: ReadonlySet<string>,
  dirs: readonly string[],
): ConfigError {
  const names = unknown.map((name) => `"${name}"`).join(', ');
  const where = dirs.length > 0 ? `in ${dirs.join(', ')}` : '(the repos name no lab folders)';
  const suggestion = closest(unknown[0]!, [...known]);
  return new ConfigError(
    'UNKNOWN_LAB',
    `No lab named ${names} ${where}${suggestion || '.'} Labs found: ${[...known].sort().join(', ') || 'none'}.`,
    { fix: 'otto --list-labs lists the labs your repos know.' },
  );
}

function closest(name: string, candidates: string[]): string {
  const near = closestIds(name, candidates);
  return near ? `; did you mean ${near}?` : '';
}

/** One problem on the first line; several counted there and listed below, one a line. */
function labError(problems: LabProblem[]): ConfigError {
  const lines = problems.map((problem) =>
    [problem.file, problem.host, problem.path, problem.message].filter(Boolean).join(': '),
  );
  if (lines.length === 1)
    return new ConfigError('LAB_INVALID', `The lab has 1 problem: ${lines[0]}`);
  return new ConfigError(
    'LAB_INVALID',
    `The lab has ${lines.length} problems:\n${lines.map((line) => `  ${line}`).join('\n')}`,
  );
}
