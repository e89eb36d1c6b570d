import { ConfigError } from '../errors.js';
import { closestIds } from '../lab/closest.js';
import type { Host } from '../hosts/host.js';
import type { LabHostPool } from '../lab/lab-host-pool.js';

/**
 * Which hosts a monitor polls, for `otto monitor` and `otto test --monitor`: the hosts named, or
 * those whose ids match a pattern (container hosts too), or else every host of the lab's files.
 * Container hosts (compose services) are left out by default: their /proc shows the CPU and
 * memory of the machine that runs their engine, not their own.
 */

/** The host ids there are to choose from. */
export interface MonitorHostCandidates {
  /** The lab's names (empty without `--lab`). */
  labNames: readonly string[];
  /** The hosts of the lab's files, in order. */
  labIds: readonly string[];
  /** Container hosts (the services of the repos' compose stacks). */
  containerIds: readonly string[];
}

/** What the command line chose. */
export interface MonitorHostChoice {
  /** Host ids named, in order. */
  ids?: readonly string[];
  /** Ids to match (any host, container hosts too). */
  pattern?: RegExp;
  /** The flag that gave `pattern`, for messages: `--hosts`, `--monitor-hosts`. */
  patternFlag: string;
}

/**
 * The ids of the hosts to poll (see the file comment); an unknown id, a pattern matching nothing
 * and an empty selection are ConfigErrors saying what there is.
 * @example selectMonitorHostIds({ ids: ['web1'], patternFlag: '--hosts' }, candidates) // ['web1']
 */
export function selectMonitorHostIds(
  choice: MonitorHostChoice,
  candidates: MonitorHostCandidates,
): string[] {
  const all = [...candidates.labIds, ...candidates.containerIds];
  if (choice.ids) {
    for (const id of choice.ids) if (!all.includes(id)) throw unknownHost(id, candidates);
    return [...choice.ids];
  }
  if (choice.pattern) {
    const pattern = choice.pattern;
    const matched = all.filter((id) => pattern.test(id));
    if (matched.length === 0) throw matchesNone(choice.patternFlag, pattern, candidates);
    return matched;
  }
  if (candidates.labIds.length === 0) throw noLabHosts(choice.patternFlag, candidates);
  return [...candidates.labIds];
}

function unknownHost(id: string, candidates: MonitorHostCandidates): ConfigError {
  const all = [...candidates.labIds, ...candidates.containerIds];
  const near = closestIds(id, all);
  return new ConfigError(
    'UNKNOWN_HOST',
    `No host "${id}" ${inLab(candidates)}${near ? `; did you mean ${near}?` : '.'} Hosts: ${listOf(all)}.`,
    {
      fix: 'otto --list-hosts lists the hosts of the lab; HOSTS is a comma-separated list of ids.',
    },
  );
}

function matchesNone(
  flag: string,
  pattern: RegExp,
  candidates: MonitorHostCandidates,
): ConfigError {
  const all = [...candidates.labIds, ...candidates.containerIds];
  return new ConfigError(
    'UNKNOWN_HOST',
    `${flag} "${pattern.source}" matches no host ${inLab(candidates)}. Hosts: ${listOf(all)}.`,
    { fix: `${flag} takes a regular expression searched in each host id (^web matches web1).` },
  );
}

function noLabHosts(flag: string, candidates: MonitorHostCandidates): ConfigError {
  const containers = candidates.containerIds;
  const named =
    containers.length > 0
      ? ` Container hosts are polled only when named or matched (${flag}): ${listOf(containers)}.`
      : '';
  if (candidates.labNames.length === 0)
    return new ConfigError('NO_LAB', `No host to monitor: no lab given.${named}`, {
      fix: 'pass --lab NAME[,NAME...] (before the command) or set OTTO_LAB; otto --list-labs shows the labs your repos know.',
    });
  return new ConfigError(
    'UNKNOWN_HOST',
    `No host to monitor: ${inLab(candidates).slice(3)} has none.${named}`,
    {
      fix: 'add hosts to the lab, or use another one (--lab NAME); otto --list-labs shows the labs.',
    },
  );
}

/** `in lab main`, or what there is without a lab: the container hosts only. */
function inLab(candidates: MonitorHostCandidates): string {
  return candidates.labNames.length > 0
    ? `in lab ${candidates.labNames.join(', ')}`
    : 'without a lab (--lab)';
}

function listOf(ids: readonly string[]): string {
  return ids.length > 0 ? ids.join(', ') : 'none';
}

/** The hosts a pool offers, as {@link selectMonitorHostIds} chooses among them. */
export function monitorHostCandidates(pool: LabHostPool): MonitorHostCandidates {
  const labIds = [...pool.lab.hosts.keys()];
  return {
    labNames: pool.lab.names,
    labIds,
    containerIds: pool.ids().filter((id) => !pool.lab.hosts.has(id)),
  };
}

/**
 * The pool's hosts of `ids`, for a monitor of the CLI, with their command logging off: a tick's
 * oneshot on every host each second would bury the console and otto.log. Safe here: in
 * `otto monitor` and in `otto test`'s own process only the monitor uses these hosts (the tests
 * run in workers with hosts of their own).
 */
export function quietMonitorHosts(pool: LabHostPool, ids: readonly string[]): Host[] {
  return ids.map((id) => {
    const host = pool.get(id);
    host.log = false;
    return host;
  });
}
