import { closeSync } from 'node:fs';
import { setDefaultLogger } from '../../common/logger.js';
import { ConfigError, InstructionError, OttoError } from '../../errors.js';
import { composePlaceholders, placeholderHosts } from '../../lab/compose-placeholders.js';
import { LabHostPool, emptyLab, hostDefaultsOf } from '../../lab/lab-host-pool.js';
import { loadLab, type Lab } from '../../lab/lab.js';
import { findLabHost } from '../../lab/lab-hosts.js';
import { labDirsOf } from '../../lab/repos.js';
import {
  assertReserved,
  checkReservations,
  createReservationBackend,
  reservationUser,
} from '../../lab/reservations.js';
import type { Repo } from '../../lab/settings.js';
import { runUntilInterrupted } from '../interrupt.js';
import { describeFailure, EXIT_INTERRUPTED, exitCodeOfFailure } from '../report-failure.js';
import { processSecrets } from '../../common/secret-masker.js';
import { labSecrets } from '../../lab/lab-secrets.js';
import type { GlobalOptions } from './global-options.js';
import { createInvocationLogger, type InvocationLogger } from '../../common/invocation-logger.js';
import { makeOutputDir, pruneOutputDirs, type OutputDir } from '../../common/output-dir.js';

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
  /** Host ids the command works on: an unknown one is refused before anything is made. */
  hostIds?: readonly string[];
  /** The command line, for the log. */
  argv?: readonly string[];
}

/**
 * One run of a command that works on hosts: the lab, the reservation gate, the output directory
 * with its `otto.log`, the logger every host writes to, and the lab's host pool. `complete` runs
 * the command's work and is the one place that decides the exit code: it reports a failure on the
 * console and in `otto.log`, gives 130 after Ctrl-C, logs the code, closes everything and prints
 * where the output is.
 */
export class Invocation {
  private ended = false;

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
    // From here on, nothing printed shows the lab's passwords, failures included.
    processSecrets.add(labSecrets(loaded));
    const lab = spec.prepareLab ? spec.prepareLab(loaded) : loaded;
    const placeholderNotes: string[] = [];
    const placeholders = await composePlaceholders(spec.repos, lab, placeholderNotes);
    const placeholderIds = placeholders.map((placeholder) => placeholder.id);
    for (const id of spec.hostIds ?? [])
      if (!placeholderIds.includes(id)) findLabHost(lab, id, placeholderIds);
    const gateNotes = spec.gated ? await passReservationGate(options, spec.repos, lab) : [];
    const notes = [...gateNotes, ...placeholderNotes];
    const now = new Date();
    const pruned = await pruneOutputDirs(options.xdir, options.logDays, now);
    const outputDir = await makeOutputDir(options.xdir, spec.command, spec.name, now);
    const logger = createInvocationLogger({
      consoleLevel: options.logLevel,
      logFd: outputDir.logFd,
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
    const pool: LabHostPool = new LabHostPool(lab, {
      defaults: hostDefaultsOf(spec.repos),
      dryRun: options.dryRun,
      logger,
      // The services of the repos' compose stacks are hosts too, found when first used.
      extraHosts: placeholderHosts(placeholders, lab, { get: (id) => pool.get(id) }, { logger }),
    });
    return new Invocation(options, lab, pool, logger, outputDir);
  }

  /**
   * Runs the command's work until it ends, fails or is interrupted, and ends the invocation (see
   * the class comment). Returns the exit code the process exits with: 130 after Ctrl-C, unless
   * `interruptEndsWork` (Ctrl-C is then the normal end of the work, as for `otto monitor`).
   */
  async complete(
    work: (signal: AbortSignal) => Promise<number>,
    options: { interruptEndsWork?: boolean } = {},
  ): Promise<number> {
    return runUntilInterrupted(
      async (signal) => {
        let exitCode: number;
        try {
          exitCode = await work(signal);
        } catch (error) {
          exitCode = this.report(error);
        }
        if (signal.aborted && !options.interruptEndsWork) exitCode = EXIT_INTERRUPTED;
        await this.pool.close();
        this.end(exitCode);
        return exitCode;
      },
      {
        onInterrupt: () => this.logger.toFile('warn', 'interrupted (Ctrl-C): stopping'),
        beforeExit: () => {
          this.logger.toFile('warn', 'interrupted again (Ctrl-C): quitting at once');
          this.end(EXIT_INTERRUPTED);
        },
      },
    );
  }

  /**
   * Prints a failure on the console and writes it to `otto.log` (with the stack of a cause, such
   * as a throw in an instruction, in the log only). Returns the exit code it gives.
   */
  report(error: unknown): number {
    const text = describeFailure(error);
    process.stderr.write(processSecrets.mask(text));
    this.logger.toFile('error', text.trimEnd());
    // A throw in user code (an instruction) keeps its stack in the log; a driver's, its message.
    const cause = error instanceof OttoError ? error.cause : undefined;
    if (cause instanceof Error)
      this.logger.toFile(
        'debug',
        `cause: ${error instanceof InstructionError ? (cause.stack ?? cause.message) : cause.message}`,
      );
    return exitCodeOfFailure(error);
  }

  private end(exitCode: number): void {
    if (this.ended) return;
    this.ended = true;
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

/** A line in bold colour on a terminal (unless NO_COLOR), plain elsewhere. */
function loud(text: string, style: string): string {
  const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
  return color ? `\x1b[${style}m${text}\x1b[0m\n` : `${text}\n`;
}
