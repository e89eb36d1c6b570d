import { getDefaultLogger, type Logger } from '../common/logger.js';
import { ConfigError } from '../errors.js';
import { DryRunHost } from '../hosts/dry-run-host.js';
import type { Host } from '../hosts/host.js';
import type { HostOptions } from '../hosts/host-options.js';
import type { Lab } from './lab.js';
import { createLabHost, findLabHost, type HostDefaults } from './lab-hosts.js';
import type { LabHostEntry } from './lab-schema.js';
import type { Repo } from './settings.js';

/** Options of {@link LabHostPool}. */
export interface LabHostPoolOptions {
  /** Repo-wide protocol defaults. @default none */
  defaults?: HostDefaults;
  /** Hand out hosts that never connect (see DryRunHost). @default false */
  dryRun?: boolean;
  /** @default the default logger */
  logger?: Logger;
  /** Options for every host made. */
  hostOptions?: HostOptions;
  /** Hosts that are not in the lab's files, such as the services of compose stacks. */
  extraHosts?: ExtraHostSource;
}

/** Hosts a pool offers besides the lab's own: their ids, and a maker of each. */
export interface ExtraHostSource {
  /** Their ids, listed after the lab's. */
  readonly ids: readonly string[];
  /** The host of that id (made once per pool), or undefined when it is not one of these. */
  make(id: string): Host | undefined;
}

/**
 * The hosts of a lab for one invocation: each made on first use, kept, and closed together.
 * Instructions and suites reach hosts through it.
 * @example
 * await using pool = new LabHostPool(lab);
 * await pool.get('carrot_seed').run('uname -a');
 */
export class LabHostPool implements AsyncDisposable {
  private readonly made = new Map<string, Host>();
  private readonly options: LabHostPoolOptions;

  constructor(
    /** The lab whose hosts it makes. */
    readonly lab: Lab,
    options: LabHostPoolOptions = {},
  ) {
    this.options = options;
  }

  /** The host with that id; an unknown id names the closest ones. */
  get(id: string): Host {
    let host = this.made.get(id);
    if (!host) {
      host = this.make(id);
      this.made.set(id, host);
    }
    return host;
  }

  /** Ids of the lab's hosts, those matching `pattern` (a regular expression) when given. */
  ids(pattern?: RegExp | string): string[] {
    const regex = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
    const ids = [...this.lab.hosts.keys(), ...(this.options.extraHosts?.ids ?? [])];
    return ids.filter((id) => !regex || regex.test(id));
  }

  /** The hosts whose ids match `pattern` (all of them without one). */
  all(pattern?: RegExp | string): Host[] {
    return this.ids(pattern).map((id) => this.get(id));
  }

  /** Closes every host made; errors of one do not keep the others open. */
  async close(): Promise<void> {
    const hosts = [...this.made.values()];
    this.made.clear();
    await Promise.allSettled(hosts.map((host) => host.close()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private make(id: string): Host {
    const logger = this.options.logger ?? getDefaultLogger();
    const isExtra = !this.lab.hosts.has(id) && this.options.extraHosts?.ids.includes(id);
    if (isExtra && this.options.dryRun) return new DryRunHost(id, 'docker-exec', logger);
    const extra = isExtra ? this.options.extraHosts?.make(id) : undefined;
    if (extra) return extra;
    const { entry } = findLabHost(this.lab, id, this.options.extraHosts?.ids);
    if (this.options.dryRun)
      return new DryRunHost(id, entry.term === 'telnet' ? 'telnet' : 'ssh', logger);
    return createLabHost(this.lab, id, {
      ...this.options.hostOptions,
      logger,
      defaults: this.options.defaults,
    });
  }
}

/** A lab with no hosts, for commands run without `--lab`. */
export function emptyLab(): Lab {
  return { names: [], hosts: new Map(), resources: new Set(), warnings: [] };
}

/** The repos' `[host_defaults]`, merged table by table: a later repo wins per key. */
export function hostDefaultsOf(repos: readonly Repo[]): HostDefaults {
  const merged: Record<string, Record<string, unknown>> = { ssh_options: {} };
  for (const repo of repos)
    for (const [table, options] of Object.entries(repo.settings.host_defaults))
      Object.assign((merged[table] ??= {}), options);
  return merged;
}

/** Per-invocation overrides of one host (`otto host --hop/--term/--transfer`). */
export interface HostOverrides {
  hop?: string;
  term?: LabHostEntry['term'];
  transfer?: LabHostEntry['transfer'];
}

/**
 * A copy of the lab where one host uses another last hop, terminal or transfer. The hop must be
 * a host of the lab; a hop chain that comes back to the host is refused when the host is made.
 */
export function withHostOverrides(lab: Lab, id: string, overrides: HostOverrides): Lab {
  const host = findLabHost(lab, id);
  if (overrides.hop !== undefined) {
    findLabHost(lab, overrides.hop);
    if (overrides.hop === id)
      throw new ConfigError('HOP_CYCLE', `Host "${id}" cannot be its own hop (--hop ${id}).`);
  }
  const entry = {
    ...host.entry,
    ...(overrides.hop !== undefined && { hop: overrides.hop }),
    ...(overrides.term !== undefined && { term: overrides.term }),
    ...(overrides.transfer !== undefined && { transfer: overrides.transfer }),
  };
  const hosts = new Map(lab.hosts);
  hosts.set(id, { ...host, entry });
  return { ...lab, hosts };
}
