import type { LogLevel } from '../common/logger.js';
import type { Lab } from '../lab/lab.js';
import type { LabFileHost } from '../lab/lab-file.js';
import type { Repo } from '../lab/settings.js';

/**
 * What `otto test` tells the Vitest worker that runs a suite, through Vitest's `provide`: plain
 * data only (it crosses a process boundary). Under plain `npx vitest` there is none, and a suite
 * runs with its option defaults, the lab of `OTTO_LAB` and an output directory of its own.
 */

/** The key of the run configuration in Vitest's `provide` / `inject`. */
export const RUN_CONFIG_KEY = 'otto-ts.suite-run';

/** Limits of a stability run: the body repeats until the first limit given is reached. */
export interface StabilityLimits {
  /** Repeat the body this many times. */
  iterations?: number;
  /** Repeat the body for this many seconds. */
  durationS?: number;
  /** Least pass rate, in percent, for a test to be stable. @default 100 */
  threshold: number;
}

/** A lab as plain data. */
export interface LabData {
  names: string[];
  hosts: Array<[string, LabFileHost]>;
  resources: string[];
  warnings: string[];
}

/** The run configuration of one `otto test` (see the file comment). */
export interface SuiteRunConfig {
  /** The suite to run: other suites of the same file register nothing. */
  suite: string;
  /** Its option values, parsed from the command line, defaults filled. */
  values: Record<string, unknown>;
  /** The invocation's output directory (`suiteDir`). */
  suiteDir: string;
  /** Its `otto.log`, which the worker appends to. */
  logPath: string;
  consoleLevel: LogLevel;
  color: boolean;
  dryRun: boolean;
  /** Texts never to write (the lab's passwords and passphrases). */
  secrets: string[];
  lab: LabData;
  repos: Repo[];
  /** The hash of the suite's options and tags as `otto test` read them (from its cache). */
  declarationHash?: string;
  /** Set for a stability run (`--iterations`, `--duration`). */
  stability?: StabilityLimits;
}

/** A lab as plain data, for {@link SuiteRunConfig}. */
export function labToData(lab: Lab): LabData {
  return {
    names: [...lab.names],
    hosts: [...lab.hosts.entries()],
    resources: [...lab.resources],
    warnings: [...lab.warnings],
  };
}

/** The lab of {@link labToData}. */
export function labFromData(data: LabData): Lab {
  return {
    names: data.names,
    hosts: new Map(data.hosts),
    resources: new Set(data.resources),
    warnings: data.warnings,
  };
}
