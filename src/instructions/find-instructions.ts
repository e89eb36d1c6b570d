import { relative } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Repo } from '../lab/settings.js';
import { findUserModule, importUserModule } from '../lab/user-modules.js';
import { isInstruction, type Instruction } from './instruction.js';

/** An instruction found in a repo's `init` modules. */
export interface FoundInstruction {
  instruction: Instruction;
  repo: Repo;
  /** The module file that exports it. */
  modulePath: string;
}

/** What loading the repos' `init` modules gave. */
export interface FoundInstructions {
  instructions: FoundInstruction[];
  /** Every module file loaded (for the completion cache's fingerprint). */
  modulePaths: string[];
}

/**
 * Imports every repo's `init` modules (TypeScript or JavaScript, no build step) and collects the
 * instructions they export: named exports, a default export, or arrays of them. Two instructions
 * with one name are refused, naming both modules.
 * @example const { instructions } = await findInstructions(await findRepos());
 */
export async function findInstructions(repos: readonly Repo[]): Promise<FoundInstructions> {
  const found: FoundInstruction[] = [];
  const modulePaths: string[] = [];
  for (const repo of repos) {
    for (const name of repo.settings.init) {
      const modulePath = await findUserModule(name, repo.root, repo.settings.libs);
      modulePaths.push(modulePath);
      for (const instruction of instructionsIn(await importUserModule(modulePath)))
        if (!found.some((item) => item.instruction === instruction))
          found.push({ instruction, repo, modulePath });
    }
  }
  checkUnique(found);
  return { instructions: found, modulePaths };
}

function instructionsIn(exports: Record<string, unknown>): Instruction[] {
  return Object.values(exports).flatMap((value) =>
    Array.isArray(value) ? value.filter(isInstruction) : isInstruction(value) ? [value] : [],
  );
}

function checkUnique(found: readonly FoundInstruction[]): void {
  const problems: string[] = [];
  found.forEach((item, index) => {
    const first = found.findIndex((other) => other.instruction.name === item.instruction.name);
    if (first !== index)
      problems.push(
        `  "${item.instruction.name}" in ${where(found[first]!)} and in ${where(item)}`,
      );
  });
  if (problems.length > 0)
    throw new ConfigError(
      'INSTRUCTION_DUPLICATE',
      `Two instructions have the same name:\n${problems.join('\n')}`,
      { fix: 'rename one of them; otto run needs one instruction per name.' },
    );
}

function where(item: FoundInstruction): string {
  return `${item.repo.settings.name} (${relative(item.repo.root, item.modulePath)})`;
}
