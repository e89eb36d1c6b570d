import type { Logger } from '../common/logger.js';
import { defineOptions, type OptionSpecs, type OptionValues } from '../common/option-set.js';
import { ConfigError } from '../errors.js';
import {
  describeExitCode,
  isOkStatus,
  RunResult,
  type CommandResult,
  type Status,
} from '../hosts/command-result.js';
import type { Host } from '../hosts/host.js';
import type { Lab } from '../lab/lab.js';

/**
 * Instructions: named async functions that `otto run <name>` runs, with typed options that become
 * flags. A repo's `init` modules export them; the CLI finds every exported instruction.
 */

/** Marks instruction objects, across copies of otto-ts (a user module may bring its own). */
const INSTRUCTION = Symbol.for('otto-ts.instruction');

/** What an instruction gets when it runs. */
export interface InstructionContext<S extends OptionSpecs> {
  /** The option values, typed from the declarations, defaults filled. */
  options: OptionValues<S>;
  /** The lab of this invocation (empty without `--lab`). */
  lab: Lab;
  /** The lab host with that id, connected on first use and closed when the instruction ends. */
  host: (id: string) => Host;
  /** The lab hosts whose ids match `pattern` (a regular expression), all without one. */
  hosts: (pattern?: RegExp | string) => Host[];
  /** Writes to the console and to this invocation's `otto.log`. */
  logger: Logger;
  /** This invocation's output directory (it holds `otto.log`); put artifacts here. */
  outputDir: string;
  /** True under `--dry-run`: hosts do not connect and commands come back `skipped`. */
  dryRun: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/**
 * What an instruction may return; it sets the exit code. Nothing, `true`, an ok status or an ok
 * result: 0. `false`, a status or result that is not ok: 1. A number from 0 to 255: that exit
 * code (others: 1).
 */
export type InstructionOutcome = void | boolean | number | Status | RunResult | CommandResult;

/** The declaration of an instruction. */
export interface InstructionSpec<S extends OptionSpecs> {
  /** The name `otto run` takes: letters, digits, `-` and `_`. */
  name: string;
  /** One line for `--list-instructions` and `--help`. */
  help?: string;
  /** Its options; spread shared sets in: `{ ...repoOptions, debug: { type: 'boolean' } }`. */
  options?: S;
  /** The work: gets the options, hosts, logger and output folder; what it returns sets the exit code. */
  run(context: InstructionContext<S>): Promise<InstructionOutcome> | InstructionOutcome;
}

/** A declared instruction (see {@link defineInstruction}). */
export interface Instruction<S extends OptionSpecs = OptionSpecs> {
  readonly [INSTRUCTION]: true;
  /** The name `otto run` takes. */
  readonly name: string;
  /** One line for `--list-instructions` and `--help` (empty when none was given). */
  readonly help: string;
  /** Its option declarations (empty when none were given). */
  readonly options: S;
  /** Runs it with a context; what it returns sets the exit code (see {@link InstructionOutcome}). */
  run(context: InstructionContext<S>): Promise<InstructionOutcome> | InstructionOutcome;
}

/**
 * Declares an instruction. Export it from a module listed in the repo's `init` settings and
 * `otto run <name>` runs it.
 * @example
 * export const deploy = defineInstruction({
 *   name: 'deploy',
 *   help: 'Install the build on every host.',
 *   options: { ...repoOptions, dryBuild: { type: 'boolean', help: 'Skip the build step.' } },
 *   async run({ hosts, options }) {
 *     for (const host of hosts()) await host.run(['make install'], { check: true });
 *   },
 * });
 */
export function defineInstruction<const S extends OptionSpecs = Record<never, never>>(
  spec: InstructionSpec<S>,
): Instruction<S> {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(spec.name))
    throw new ConfigError(
      'INSTRUCTION_INVALID',
      `Invalid instruction name "${spec.name}": use letters, digits, - and _, starting with a letter.`,
    );
  const options = defineOptions(spec.options ?? ({} as S));
  return {
    [INSTRUCTION]: true,
    name: spec.name,
    help: spec.help ?? '',
    options,
    run: spec.run.bind(spec),
  };
}

/** True for objects made by {@link defineInstruction} (of any copy of otto-ts). */
export function isInstruction(value: unknown): value is Instruction {
  return typeof value === 'object' && value !== null && INSTRUCTION in value;
}

/** The exit code an instruction's outcome gives (see {@link InstructionOutcome}). */
export function exitCodeOf(outcome: InstructionOutcome): number {
  // null: what a JavaScript instruction may return for "nothing".
  if (outcome === undefined || outcome === null || outcome === true) return 0;
  if (outcome === false) return 1;
  // The shell sees only 8 bits: 256 would read as success, so anything out of range is 1.
  if (typeof outcome === 'number')
    return Number.isInteger(outcome) && outcome >= 0 && outcome <= 255 ? outcome : 1;
  if (typeof outcome === 'string') return isOkStatus(outcome) ? 0 : 1;
  if (outcome instanceof RunResult) return outcome.ok ? 0 : 1;
  return isOkStatus(outcome.status) ? 0 : 1;
}

/** Why an outcome is not ok, when it carries a reason: its first command that is not ok. */
export interface OutcomeFailure {
  /** One line: the error of a command that could not run or finish, or the exit code. */
  reason: string;
  /** What the user can do, from the error. */
  fix?: string;
}

/**
 * The reason a failed outcome gives (see {@link OutcomeFailure}); undefined for an ok outcome and
 * for those that carry no reason (`false`, a status, a number).
 */
export function failureOf(outcome: InstructionOutcome): OutcomeFailure | undefined {
  const results =
    outcome instanceof RunResult ? outcome.results : isCommandResult(outcome) ? [outcome] : [];
  const failed = results.find((result) => !isOkStatus(result.status));
  if (!failed) return undefined;
  const command = `\`${failed.command.split('\n')[0]}\``;
  if (!failed.error) return { reason: `${command} failed (${describeExitCode(failed.exitCode)})` };
  const fix = failed.error.details.fix;
  return { reason: failed.error.message.split('\n')[0]!, ...(fix && { fix }) };
}

function isCommandResult(outcome: InstructionOutcome): outcome is CommandResult {
  return (
    typeof outcome === 'object' && outcome !== null && 'status' in outcome && 'command' in outcome
  );
}
