import type { Command } from 'commander';

/**
 * Commander's usage errors in otto's words: `otto: unknown option '--bogus'` and a `Fix:` line
 * naming the help to read, instead of commander's `error: ...` and the whole help text. A global
 * option given after the command says that it goes before. Applies to the command and every
 * subcommand it has.
 * @example configureUsageErrors(program); // otto host: "Fix: otto host --help describes it."
 */
export function configureUsageErrors(command: Command, path = commandPath(command)): Command {
  command.configureOutput({
    outputError: (text, write) => write(reword(text, command, path)),
  });
  command.showHelpAfterError(`Fix: ${path} --help describes its arguments and options.`);
  for (const sub of command.commands) configureUsageErrors(sub, `${path} ${sub.name()}`);
  return command;
}

function reword(text: string, command: Command, path: string): string {
  const message = text.replace(/^error: /, 'otto: ');
  const flag = /^otto: unknown option '([^']+)'\n$/.exec(message)?.[1];
  let root = command;
  while (root.parent) root = root.parent;
  const global =
    flag === undefined || root === command
      ? undefined
      : root.options.find((option) => option.long === flag || option.short === flag);
  if (!global) return message;
  const [first, ...rest] = path.split(' ');
  const value = global.required || global.optional ? ' ...' : '';
  return `otto: unknown option '${flag}' for ${path}: it is a global option, which comes before the command (${first} ${flag}${value} ${rest.join(' ')} ...).\n`;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}
