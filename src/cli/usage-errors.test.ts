import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';
import { configureUsageErrors } from './usage-errors.js';

/** Parses `args` with the otto program, returning what it wrote on stderr and what it threw. */
async function parse(args: string[]): Promise<{ stderr: string; thrown: unknown }> {
  const program = buildProgram(() => undefined);
  let stderr = '';
  const capture = (command: Command): void => {
    command.configureOutput({ ...command.configureOutput(), writeErr: (text) => (stderr += text) });
    command.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { stderr, thrown: undefined };
  } catch (thrown) {
    return { stderr, thrown };
  }
}

describe('usage errors', () => {
  it("are otto's words with the help to read, not the whole help", async () => {
    expect((await parse(['--verbose'])).stderr).toBe(
      "otto: unknown option '--verbose'\nFix: otto --help describes its arguments and options.\n",
    );
    expect((await parse(['host', 'db'])).stderr).toBe(
      "otto: missing required argument 'action'\nFix: otto host --help describes its arguments and options.\n",
    );
  });

  it('say that a global option given after the command goes before it', async () => {
    expect((await parse(['host', 'db', '-l', 'main', 'run', 'true'])).stderr).toBe(
      "otto: unknown option '-l' for otto host: it is a global option, which comes before the command (otto -l ... host ...).\n" +
        'Fix: otto host --help describes its arguments and options.\n',
    );
    expect((await parse(['reservation', 'check', '--dry-run'])).stderr).toBe(
      "otto: unknown option '--dry-run' for otto reservation check: it is a global option, which comes before the command (otto --dry-run reservation check ...).\n" +
        'Fix: otto reservation check --help describes its arguments and options.\n',
    );
  });

  it('name an unknown command and the closest one', async () => {
    const { thrown } = await parse(['rnu', 'deploy']);
    expect(thrown).toMatchObject({
      code: 'UNKNOWN_COMMAND',
      message:
        'unknown command "rnu"; did you mean "run"? Commands: run, test, host, monitor, reservation, completion, engine, image, docker, lab, demo.\n' +
        'Fix: otto --help describes them; global options come before the command.',
    });
  });

  it('check the global options for every command, before it runs', async () => {
    const { thrown } = await parse(['--log-days', 'ten', 'lab', 'schema']);
    expect(thrown).toMatchObject({
      code: 'OPTION_INVALID',
      message:
        'Invalid global options: --log-days: expected a whole number of days (0 keeps all), got "ten".',
    });
  });

  it('apply to a command made on its own, with its path', () => {
    let stderr = '';
    const command = configureUsageErrors(
      new Command('deploy').exitOverride().option('--build <id>'),
      'otto run deploy',
    );
    command.configureOutput({ ...command.configureOutput(), writeErr: (text) => (stderr += text) });
    expect(() => command.parse(['--biuld', '1'], { from: 'user' })).toThrow();
    expect(stderr).toBe(
      "otto: unknown option '--biuld'\n(Did you mean --build?)\nFix: otto run deploy --help describes its arguments and options.\n",
    );
  });
});
