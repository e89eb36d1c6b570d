import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { closestIds } from './closest.js';
import { readLabFile, type LabFileHost, type LabProblem } from './lab-file.js';

/** A loaded lab: its hosts by id, its resources, and what was noticed on the way. */
export interface Lab {
  names: string[];
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
 * file, host and field, in one {@link ConfigError} (`LAB_INVALID`); so are unknown lab names
 * (with the names that exist), unknown hops and hop cycles.
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
  if (unknown.length > 0 && problems.length === 0) {
    problems.push({
      file: options.dirs.join(', ') || '(no lab folders)',
      message: `no lab named ${unknown.map((name) => `"${name}"`).join(', ')}${closest(unknown[0]!, [...known])}; labs found: ${[...known].sort().join(', ') || 'none'}`,
    });
  }
  for (const name of options.names)
    for (const host of all.filter((candidate) => candidate.labs.includes(name))) addHost(lab, host);
  problems.push(...checkHops(lab));
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
function checkHops(lab: Lab): LabProblem[] {
  const problems: LabProblem[] = [];
  for (const host of lab.hosts.values()) {
    const chain = [host.id];
    for (let hop = host.entry.hop; hop !== undefined; hop = lab.hosts.get(hop)?.entry.hop) {
      if (!lab.hosts.has(hop)) {
        problems.push({
          file: host.file,
          host: host.id,
          path: 'hop',
          message: `no host "${hop}" in the lab${closest(hop, [...lab.hosts.keys()])}`,
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

function closest(name: string, candidates: string[]): string {
  const near = closestIds(name, candidates);
  return near ? `; did you mean ${near}?` : '';
}

function labError(problems: LabProblem[]): ConfigError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map(
    (problem) =>
      `  ${[problem.file, problem.host, problem.path].filter(Boolean).join(': ')}: ${problem.message}`,
  );
  return new ConfigError('LAB_INVALID', `The lab has ${count}:\n${lines.join('\n')}`);
}
