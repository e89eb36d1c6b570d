import { closeSync } from 'node:fs';
import { setDefaultLogger } from '../../common/logger.js';
import { ConfigError } from '../../errors.js';
import { LabHostPool, emptyLab, hostDefaultsOf } from '../../lab/lab-host-pool.js';
import { loadLab, type Lab } from '../../lab/lab.js';
import { labDirsOf } from '../../lab/repos.js';
import {
  assertReserved,
  checkReservations,
  createReservationBackend,
  reservationUser,
} from '../../lab/reservations.js';
import type { Repo } from '../../lab/settings.js';
import type { GlobalOptions } from './global-options.js';
import { createInvocationLogger, type InvocationLogger } from './invocation-logger.js';
import { makeOutputDir, pruneOutputDirs, type OutputDir } from './output-dir.js';

/** What a command needs of its invocation. */
export interface InvocationSpec {
  /** The command, first level of the output layout: `run`, `host`, `test`, `monitor`. */
  command: string;
  /** Second part of the output directory name: the instruction, suite or host sub-command. */
  name?: string;
  repos: readonly Repo[];
  /** Refuse to start without `--lab`. */
  needsLab: boolean;
  /** Check reservations before anything connects. */
  gated: boolean;
  /** Checks or adjusts the lab before anything is made (e.g. per-invocation host overrides). */
  prepareLab?: (lab: Lab) => Lab;
  /** The command line, for the log. */
  argv?: readonly string[];
}

/**
 * One run of a command that works on hosts: the lab, the reservation gate, the output directory
 * with its `otto.log`, the logger every host writes to, and the lab's host pool. `finish` closes
 * everything and prints where the output is.
 */
export class Invocation {
  private constructor(
    readonly options: GlobalOptions,
    readonly lab: Lab,
    readonly pool: LabHostPool,
    readonly logger: InvocationLogger,
    readonly outputDir: OutputDir,
  ) {}

  /** Loads the lab, passes the reservation gate, makes the output directory and the logger. */
  static async start(options: GlobalOptions, spec: InvocationSpec): Promise<Invocation> {
    const loaded = await loadInvocationLab(options, spec);
    const lab = spec.prepareLab ? spec.prepareLab(loaded) : loaded;
    const notes = spec.gated ? await passReservationGate(options, spec.repos, lab) : [];
    const now = new Date();
    const pruned = await pruneOutputDirs(options.xdir, options.logDays, now);
    const outputDir = await makeOutputDir(options.xdir, spec.command, spec.name, now);
    const logger = createInvocationLogger({
      consoleLevel: options.logLevel,
      logFd: outputDir.logFd,
      secrets: secretsOf(lab),
    });
    setDefaultLogger(logger);
    logger.debug(`otto ${(spec.argv ?? process.argv.slice(2)).join(' ')}`);
    logger.debug(
      `repos: ${spec.repos.map((repo) => `${repo.settings.name} (${repo.root})`).join(', ')}`,
    );
    if (lab.names.length > 0) logger.debug(`lab: ${lab.names.join(', ')}`);
    for (const warning of [...lab.warnings, ...notes]) logger.warn(warning);
    if (pruned.length > 0)
      logger.debug(
        `removed ${pruned.length} output directories older than ${options.logDays} days`,
      );
    const pool = new LabHostPool(lab, {
      defaults: hostDefaultsOf(spec.repos),
      dryRun: options.dryRun,
      logger,
    });
    return new Invocation(options, lab, pool, logger, outputDir);
  }

  /** Closes the hosts and the log, then prints the output directory. */
  async finish(exitCode: number): Promise<void> {
    await this.pool.close();
    this.logger.debug(`exit code ${exitCode}`);
    closeSync(this.outputDir.logFd);
    process.stderr.write(`output: ${this.outputDir.path}\n`);
  }
}

async function loadInvocationLab(options: GlobalOptions, spec: InvocationSpec): Promise<Lab> {
  if (options.labNames.length === 0) {
    if (!spec.needsLab) return emptyLab();
    throw new ConfigError('NO_LAB', 'No lab given: pass --lab NAME[,NAME...] or set OTTO_LAB.', {
      fix: 'otto --list-labs shows the labs your repos know.',
    });
  }
  return loadLab({ names: options.labNames, dirs: labDirsOf(spec.repos) });
}

/** Throws when the user does not hold what the lab needs; returns warnings to log. */
async function passReservationGate(
  options: GlobalOptions,
  repos: readonly Repo[],
  lab: Lab,
): Promise<string[]> {
  const notes: string[] = [];
  const { user, source } = reservationUser(options.asUser);
  if (source === 'as-user') {
    process.stderr.write(loud(`Acting as user "${user}" (--as-user).`, '1;35'));
    notes.push(`acting as user "${user}" (--as-user)`);
  }
  if (options.skipReservationCheck) {
    const warning = 'The reservation check is skipped (-R): the lab may be in use by someone else.';
    process.stderr.write(loud(`WARNING: ${warning}`, '1;31'));
    return [...notes, warning];
  }
  const backend = await createReservationBackend(repos);
  assertReserved(await checkReservations(backend, lab, user));
  return notes;
}

/** Passwords and passphrases of the lab: never written to the console or the log. */
function secretsOf(lab: Lab): string[] {
  return [...lab.hosts.values()].flatMap(({ entry }) => [
    ...Object.values(entry.creds),
    ...(entry.passphrase ? [entry.passphrase] : []),
  ]);
}

/** A line in bold colour on a terminal (unless NO_COLOR), plain elsewhere. */
function loud(text: string, style: string): string {
  const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
  return color ? `\x1b[${style}m${text}\x1b[0m\n` : `${text}\n`;
}
