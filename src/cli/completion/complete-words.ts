/**
 * Shell completion without user code: the candidates for one word of an `otto` command line,
 * found by walking the commander tree over the words before it. Instruction names and flags
 * come from the completion cache and host ids from lab files, through {@link CompletionSources}.
 *
 * The words are those after `otto`, as the shell split them. bash splits `--lab=x` into
 * `--lab`, `=`, `x` (`=` is in COMP_WORDBREAKS) and replaces only the text after `=`, so a `=`
 * word after a flag that takes a value means "the value follows" and values are offered bare;
 * zsh keeps `--lab=x` whole, and then values are offered as `--lab=value`.
 */
import type { Command, Option } from 'commander';
import type { CachedInstruction } from './completion-cache.js';

/** Where completion finds what commander does not know; neither method may throw. */
export interface CompletionSources {
  /** Instruction names and their option flags, from the completion cache; [] when there is none. */
  instructions(): Promise<CachedInstruction[]>;
  /** Suite names and their flags (otto test's own included), from the suites' cache. @default none */
  suites?(): Promise<CachedInstruction[]>;
  /** Host ids of the lab named by -l/--lab in the words (or undefined → $OTTO_LAB); [] when unknown. */
  hostIds(lab: string | undefined): Promise<string[]>;
  /** `local` and the docker-capable hosts of that lab, for `--on`. @default none offered */
  dockerParentIds?(lab: string | undefined): Promise<string[]>;
}

/** A flag as completion sees it, from a commander option or from the cache. */
interface Flag {
  names: string[];
  value: 'none' | 'required' | 'optional';
  choices?: readonly string[];
}

/** Where the words before the completed one lead. */
interface Position {
  command: Command;
  /** Operands given to `command` so far. */
  operands: string[];
  /** The last value of each flag that takes one, by its long name (or short, without one). */
  values: Map<string, string>;
  /** After `run <name>`: that instruction, when the cache knows it. */
  instruction: CachedInstruction | undefined;
  /** A flag whose value is the next word. */
  pending: Flag | undefined;
  /** After `--`: every word is an operand. */
  optionsEnded: boolean;
}

/**
 * Completion candidates for `words[index]` (0 = the first word after `otto`): subcommands,
 * flags, choices of an option or argument, instruction names and flags, host ids; only those
 * that start with the word, sorted and unique.
 * @example await completeWords(program, ['--log-level', 'd'], 1, sources) // ['debug']
 */
export async function completeWords(
  program: Command,
  words: readonly string[],
  index: number,
  sources: CompletionSources,
): Promise<string[]> {
  const at = await walkWords(program, words.slice(0, index), sources);
  const candidates = await candidatesAt(at, words[index] ?? '', sources);
  return [...new Set(candidates)].sort();
}

/**
 * The last value the words give a flag, read as {@link completeWords} reads them, e.g. `--xdir`
 * to find the completion cache; `undefined` when they give none.
 * @example await flagValueIn(program, ['-x', '/tmp/x', 'run', ''], '--xdir') // '/tmp/x'
 */
export async function flagValueIn(
  program: Command,
  words: readonly string[],
  long: string,
): Promise<string | undefined> {
  return (await walkWords(program, words, NO_SOURCES)).values.get(long);
}

/** Sources that know nothing: enough to follow flags and their values. */
const NO_SOURCES: CompletionSources = {
  instructions: () => Promise.resolve([]),
  hostIds: () => Promise.resolve([]),
};

async function walkWords(
  program: Command,
  words: readonly string[],
  sources: CompletionSources,
): Promise<Position> {
  const at: Position = {
    command: program,
    operands: [],
    values: new Map(),
    instruction: undefined,
    pending: undefined,
    optionsEnded: false,
  };
  for (const word of words) await takeWord(at, word, sources);
  return at;
}

async function takeWord(at: Position, word: string, sources: CompletionSources): Promise<void> {
  const pending = valueFlagFor(at, word);
  at.pending = undefined;
  if (pending) return takeValue(at, pending, word);
  if (at.optionsEnded || !isFlagWord(word)) return takeOperand(at, word, sources);
  if (word === '--') at.optionsEnded = true;
  else takeFlag(at, word);
}

/** The flag whose value `word` is, if any: a flag with an optional value takes no `-…` word. */
function valueFlagFor(at: Position, word: string): Flag | undefined {
  const flag = at.pending;
  return flag && !(flag.value === 'optional' && isFlagWord(word)) ? flag : undefined;
}

function takeValue(at: Position, flag: Flag, word: string): void {
  // A `=` word is bash's split of `--lab=x`: the value is still to come.
  if (word === '=') at.pending = flag;
  else noteValue(at, flag, word);
}

function takeFlag(at: Position, word: string): void {
  const { flag, inline } = resolveFlag(at, word);
  if (!flag || flag.value === 'none') return;
  if (inline === undefined) at.pending = flag;
  else noteValue(at, flag, inline);
}

function noteValue(at: Position, flag: Flag, value: string): void {
  at.values.set(flag.names.at(-1)!, value);
}

async function takeOperand(at: Position, word: string, sources: CompletionSources): Promise<void> {
  const subcommand = findSubcommand(at, word);
  if (subcommand) {
    at.command = subcommand;
    at.operands = [];
    return;
  }
  at.operands.push(word);
  if (dynamicOperand(at.command) === 'instruction' && at.operands.length === 1)
    at.instruction = (await namedOf(at.command, sources)).find(
      (instruction) => instruction.name === word,
    );
}

/** The subcommand `word` names, when it stands where one is named (hidden ones included). */
function findSubcommand(at: Position, word: string): Command | undefined {
  if (at.operands.length !== subcommandIndex(at.command)) return undefined;
  return at.command.commands.find((sub) => sub.name() === word || sub.aliases().includes(word));
}

/** `--name=value`, `-lvalue`, `-l=value`, `-fl` (boolean `-f`, then `-l`) or a plain flag. */
function resolveFlag(at: Position, word: string): { flag?: Flag; inline?: string } {
  const equals = word.indexOf('=');
  if (word.startsWith('--'))
    return equals > 2
      ? { flag: findFlag(at, word.slice(0, equals)), inline: word.slice(equals + 1) }
      : { flag: findFlag(at, word) };
  const flag = findFlag(at, word.slice(0, 2));
  const rest = word.slice(2);
  if (rest === '') return { flag };
  if (flag && flag.value !== 'none') return { flag, inline: rest.replace(/^=/, '') };
  return resolveFlag(at, `-${rest}`);
}

/** The flag named `name` where the walk is: the instruction's, then each command's up to `otto`. */
function findFlag(at: Position, name: string): Flag | undefined {
  const fromInstruction = instructionFlags(at).find((flag) => flag.names.includes(name));
  if (fromInstruction) return fromInstruction;
  for (let command: Command | null = at.command; command; command = command.parent) {
    const option = command.options.find((candidate) => isNamed(candidate, name));
    if (option) return flagOf(option);
  }
  return undefined;
}

function isNamed(option: Option, name: string): boolean {
  return option.long === name || option.short === name;
}

function flagOf(option: Option): Flag {
  const value = option.required ? 'required' : option.optional ? 'optional' : 'none';
  return { names: namesOf(option), value, choices: option.argChoices };
}

function namesOf(option: Option): string[] {
  return [option.short, option.long].filter((name): name is string => name !== undefined);
}

function instructionFlags(at: Position): Flag[] {
  return (at.instruction?.flags ?? []).map(({ flag, takesValue, choices }) => ({
    names: [flag],
    value: takesValue ? 'required' : 'none',
    choices,
  }));
}

async function candidatesAt(
  at: Position,
  current: string,
  sources: CompletionSources,
): Promise<string[]> {
  const pending = valueFlagFor(at, current);
  if (pending) return valuesOf(at, pending, current === '=' ? '' : current, sources);
  if (at.optionsEnded || !current.startsWith('-'))
    return startingWith(await operandsAt(at, sources, current), current);
  const equals = current.indexOf('=');
  if (current.startsWith('--') && equals > 2) return inlineValuesOf(at, current, equals, sources);
  return startingWith(flagsAt(at), current);
}

async function valuesOf(
  at: Position,
  flag: Flag,
  prefix: string,
  sources: CompletionSources,
): Promise<string[]> {
  const lab = at.values.get('--lab');
  const values = flag.names.includes('--hop')
    ? await sources.hostIds(lab)
    : flag.names.includes('--on')
      ? await sources.dockerParentIds?.(lab)
      : flag.choices;
  return startingWith(values ?? [], prefix);
}

/** zsh's whole `--log-level=d` word: values offered with the flag in front. */
async function inlineValuesOf(
  at: Position,
  current: string,
  equals: number,
  sources: CompletionSources,
): Promise<string[]> {
  const name = current.slice(0, equals);
  const flag = findFlag(at, name);
  if (!flag || flag.value === 'none') return [];
  const values = await valuesOf(at, flag, current.slice(equals + 1), sources);
  return values.map((value) => `${name}=${value}`);
}

/** Flags offered where the walk is: after `run <name>`, that instruction's flags and `--help`. */
function flagsAt(at: Position): string[] {
  if (dynamicOperand(at.command) === 'instruction' && at.operands.length > 0)
    return [...instructionFlags(at).flatMap((flag) => flag.names), '--help'];
  const options = at.command.createHelp().visibleOptions(at.command);
  return options.flatMap(namesOf);
}

async function operandsAt(
  at: Position,
  sources: CompletionSources,
  current = '',
): Promise<string[]> {
  const position = at.operands.length;
  const dynamic = dynamicOperand(at.command);
  if (dynamic === 'hosts' && position === 0)
    return hostListsOf(await sources.hostIds(at.values.get('--lab')), current);
  if (dynamic === 'instruction')
    return position === 0
      ? (await namedOf(at.command, sources)).map(({ name }) => name)
      : flagsAt(at);
  if (dynamic === 'host' && position === 0) return sources.hostIds(at.values.get('--lab'));
  const subcommands = position === subcommandIndex(at.command) ? subcommandNames(at.command) : [];
  return [...subcommands, ...argumentChoices(at.command, position)];
}

function subcommandNames(command: Command): string[] {
  return command
    .createHelp()
    .visibleCommands(command)
    .map((subcommand) => subcommand.name());
}

function argumentChoices(command: Command, position: number): readonly string[] {
  const declared = command.registeredArguments;
  const last = declared.at(-1);
  const argument = declared[position] ?? (last?.variadic ? last : undefined);
  return argument?.argChoices ?? [];
}

/** `otto monitor web1,d` offers `web1,db1`: the ids not in the list yet, after the list's start. */
function hostListsOf(ids: readonly string[], current: string): string[] {
  const given = current.split(',').slice(0, -1);
  const head = given.map((id) => `${id},`).join('');
  return ids.filter((id) => !given.includes(id)).map((id) => `${head}${id}`);
}

/** What `otto run` and `otto test` name: instructions, or suites. */
async function namedOf(command: Command, sources: CompletionSources): Promise<CachedInstruction[]> {
  return command.name() === 'test' ? ((await sources.suites?.()) ?? []) : sources.instructions();
}

/**
 * Commands whose first operand comes from the sources: `otto run <instruction>` and
 * `otto test <suite>` (named things with flags of their own), `otto host <id>`, and
 * `otto monitor <id>[,<id>...]`.
 */
function dynamicOperand(command: Command): 'instruction' | 'host' | 'hosts' | undefined {
  if (!command.parent || command.parent.parent) return undefined;
  if (command.name() === 'run' || command.name() === 'test') return 'instruction';
  if (command.name() === 'monitor') return 'hosts';
  return command.name() === 'host' ? 'host' : undefined;
}

/** The operand that names a subcommand: the first, or the second after `host <id>`. */
function subcommandIndex(command: Command): number {
  return dynamicOperand(command) === 'host' ? 1 : 0;
}

function isFlagWord(word: string): boolean {
  return word.length > 1 && word.startsWith('-');
}

function startingWith(candidates: readonly string[], prefix: string): string[] {
  return candidates.filter((candidate) => candidate.startsWith(prefix));
}
