import type { TempRepo } from '../../helpers/temp-repo.js';

/** What a case may use besides its own repo: live servers started once for the whole table. */
export interface BadInputContext {
  /** An SSH server on a loopback port that takes user `otto` with password `otto`. */
  ssh: { host: string; port: number; username: string; password: string; keyPath: string };
  /** A loopback port where nothing listens. */
  closedPort: number;
}

/** A value of a case, or a function of its repo (paths) and the shared context. */
export type PerCase<T> = T | ((repo: TempRepo, context: BadInputContext) => T);

/**
 * One bad input given to the built `otto`: the repo it runs in, its arguments and environment,
 * and what it must answer. Every case also asserts that no stack trace, no "unexpected error" and
 * none of `secrets` appears on stdout, stderr or in any otto.log under the xdir.
 */
export interface BadInputCase {
  name: string;
  /** Lines appended to the repo's `.otto/settings.toml` (after name, version and labs). */
  settings?: string;
  /** The lab's hosts.json: a value written as JSON, or the file's exact text or bytes. */
  hosts?: PerCase<unknown>;
  /** More files, relative to the repo root (`.otto/settings.toml` replaces the default one). */
  files?: PerCase<Record<string, string | Buffer>>;
  /** Runs after the repo is written, before otto starts (e.g. to make a FIFO or remove a file). */
  prepare?: (repo: TempRepo, context: BadInputContext) => Promise<void>;
  /** Arguments of `otto`; the lab `main` is not implied. */
  args: PerCase<string[]>;
  /** Environment on top of the repo's (OTTO_SUT_DIRS, OTTO_XDIR, OTTO_LAB=''). */
  env?: PerCase<Record<string, string>>;
  /** Starts the shared SSH server before the case (it is started once, for all cases). */
  needsSsh?: boolean;
  exitCode: number;
  /** The whole first line of stderr, exactly (a RegExp must match it whole). */
  firstLine: PerCase<string | RegExp>;
  /** Texts that must appear on no stream and in no otto.log. */
  secrets?: string[];
  /** Further checks on what it printed. */
  check?: (result: { stdout: string; stderr: string; log: string }, repo: TempRepo) => void;
}
