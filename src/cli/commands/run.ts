import { Command } from 'commander';
import { relative } from 'node:path';
import { ConfigError } from '../../errors.js';
import { closestIds } from '../../lab/closest.js';
import { requireRepos } from '../../lab/repos.js';
import { failureOf, type Instruction } from '../../instructions/instruction.js';
import { findInstructions, type FoundInstruction } from '../../instructions/find-instructions.js';
import { runInstruction } from '../../instructions/run-instruction.js';
import { configureUsageErrors } from '../usage-errors.js';
import { resolveGlobalOptions, type GlobalFlags } from '../invocation/global-options.js';
import { Invocation } from '../invocation/invocation.js';
import { addOptionSet, flagsOf, optionSetValues } from '../option-flags.js';
import { fingerprintFiles } from '../../common/hash.js';
import { writeCompletionCache } from '../completion/completion-cache.js';
import type { Repo } from '../../lab/settings.js';

/**
 * `otto run <instruction> [options]`: loads the repos' `init` modules, parses the instruction's
 * own flags, passes the reservation gate and runs it; the exit code follows its outcome.
 * `otto run --list-instructions` lists them by repo.
 */
export async function runCommand(
  globalFlags: GlobalFlags,
  name: string | undefined,
  args: readonly string[],
  flags: { listInstructions?: boolean },
): Promise<number> {
  const options = resolveGlobalOptions(globalFlags);
  const repos = await requireRepos();
  const { instructions, modulePaths } = await findInstructions(repos);
  await cacheForCompletion(options.xdir, repos, modulePaths, instructions);
  if (flags.listInstructions) {
    process.stdout.write(listInstructions(instructions));
    return 0;
  }
  const found = pickInstruction(instructions, name);
  const values = parseInstructionArgs(found.instruction, args);
  if (values === undefined) return 0; // --help was shown
  const invocation = await Invocation.start(options, {
    command: 'run',
    name: found.instruction.name,
    repos,
    needsLab: false,
    gated: true,
  });
  const { name: instructionName } = found.instruction;
  return invocation.complete(async (signal) => {
    invocation.logger.debug(`run ${instructionName}${options.dryRun ? ' [DRY RUN]' : ''}`);
    const run = await runInstruction(found.instruction, {
      values,
      pool: invocation.pool,
      logger: invocation.logger,
      outputDir: invocation.outputDir.path,
      dryRun: options.dryRun,
      signal,
    });
    const seconds = `${(run.durationMs / 1000).toFixed(1)} s`;
    if (signal.aborted)
      invocation.logger.warn(`${instructionName}: interrupted (Ctrl-C) after ${seconds}`);
    else if (run.exitCode === 0) invocation.logger.info(`${instructionName}: ok in ${seconds}`);
    else {
      const why = failureOf(run.outcome);
      invocation.logger.error(
        `${instructionName}: failed (exit code ${run.exitCode}) in ${seconds}${why ? `: ${why.reason}` : ''}`,
      );
      if (why?.fix) invocation.logger.error(`Fix: ${why.fix}`);
    }
    return run.exitCode;
  });
}

function pickInstruction(
  instructions: readonly FoundInstruction[],
  name: string | undefined,
): FoundInstruction {
  const names = instructions.map((item) => item.instruction.name).sort();
  const known = names.length > 0 ? names.join(', ') : 'none (no init module exports one)';
  if (name === undefined)
    throw new ConfigError('NO_INSTRUCTION', `No instruction given. Instructions: ${known}.`, {
      fix: 'otto run <instruction> [options]; otto run --list-instructions describes them.',
    });
  const found = instructions.find((item) => item.instruction.name === name);
  if (found) return found;
  const near = closestIds(name, names);
  throw new ConfigError(
    'UNKNOWN_INSTRUCTION',
    `No instruction "${name}"${near ? `; did you mean ${near}?` : '.'} Instructions: ${known}.`,
    { fix: 'otto run --list-instructions describes them.' },
  );
}

/** The instruction's option values, or undefined when `--help` was asked (help printed). */
function parseInstructionArgs(
  instruction: Instruction,
  args: readonly string[],
): Record<string, unknown> | undefined {
  const command = addOptionSet(
    new Command(instruction.name)
      .description(instruction.help)
      .usage('[options]')
      .exitOverride()
      .allowExcessArguments(false),
    instruction.options,
  );
  command.configureHelp({ commandUsage: () => `otto run ${instruction.name} [options]` });
  configureUsageErrors(command, `otto run ${instruction.name}`);
  try {
    command.parse([...args], { from: 'user' });
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode === 0) return undefined;
    throw error;
  }
  return optionSetValues(command, instruction.options);
}

function listInstructions(instructions: readonly FoundInstruction[]): string {
  if (instructions.length === 0)
    return "No instructions: the repos' init modules export none (see defineInstruction).\n";
  const lines: string[] = [];
  for (const repo of new Set(instructions.map((item) => item.repo))) {
    lines.push(`${repo.settings.name} (${repo.root})`);
    const mine = instructions.filter((item) => item.repo === repo);
    const width = mine.reduce((most, item) => Math.max(most, item.instruction.name.length), 0);
    for (const { instruction, modulePath } of mine)
      lines.push(
        `  ${instruction.name.padEnd(width)}  ${instruction.help || '-'}  [${relative(repo.root, modulePath)}]`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** Keeps what TAB offers after `otto run` current; a cache that cannot be written only means fewer candidates. */
async function cacheForCompletion(
  xdir: string,
  repos: readonly Repo[],
  modulePaths: readonly string[],
  instructions: readonly FoundInstruction[],
): Promise<void> {
  // Written on every run, not only when the fingerprint changes: an init module may define its
  // instructions in modules it imports, which the fingerprint does not cover.
  const fingerprint = await fingerprintFiles([
    ...repos.map((repo) => repo.settingsPath),
    ...modulePaths,
  ]);
  await writeCompletionCache(xdir, {
    version: 1,
    fingerprint,
    instructions: instructions.map(({ instruction }) => ({
      name: instruction.name,
      help: instruction.help,
      flags: flagsOf(instruction.options),
    })),
  }).catch(() => undefined);
}
