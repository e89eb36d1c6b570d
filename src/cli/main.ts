#!/usr/bin/env node
/**
 * The `otto` command: parses arguments and dispatches to one command module, loaded only when it
 * runs, so that `otto --help` stays fast. User mistakes print one clear message, never a stack.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { EXIT_USAGE, reportFailure } from './report-failure.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

function buildProgram(setExitCode: (code: number) => void): Command {
  const program: Command = new Command('otto')
    .description('Deploy to, test and monitor software on machines and Docker containers.')
    .version(version, '-V, --version')
    .exitOverride()
    .showHelpAfterError()
    .option('-l, --lab <names>', 'labs to use, comma-separated (default: $OTTO_LAB)')
    .option('--list-labs', 'list the labs the repos know')
    .option('--list-hosts', "list the lab's hosts")
    .option('--show-lab', 'show the lab as JSON (users, never passwords)')
    .action(
      async (flags: {
        lab?: string;
        listLabs?: boolean;
        listHosts?: boolean;
        showLab?: boolean;
      }) => {
        if (!flags.listLabs && !flags.listHosts && !flags.showLab) return void program.help();
        setExitCode(await (await import('./commands/lab-listing.js')).labListingCommand(flags));
      },
    );
  const run = (load: () => Promise<number>) => async () => setExitCode(await load());

  const engine = program.command('engine').description('The Docker engine otto-ts talks to.');
  engine
    .command('ensure')
    .description('Make sure a Docker engine answers; on Debian as root, install and start one.')
    .action(run(async () => (await import('./commands/engine.js')).engineEnsureCommand()));

  const image = program.command('image').description('Images built offline from local material.');
  image
    .command('base')
    .description('Build a base image (busybox: seconds; debian: debootstrap) unless it exists.')
    .addArgument(new Argument('<kind>', 'busybox or debian').choices(['busybox', 'debian']))
    .option('-f, --force', 'build even when an image of the same recipe exists')
    .addOption(new Option('--mirror <url>', 'Debian mirror (default: the one apt uses)'))
    .action(async (kind: 'busybox' | 'debian', flags: { force?: boolean; mirror?: string }) =>
      setExitCode(await (await import('./commands/image.js')).imageBaseCommand(kind, flags)),
    );

  const lab = program.command('lab').description('Lab files: the hosts of a test lab.');
  lab
    .command('schema')
    .description('Print the JSON Schema of lab files (hosts.json), for editors.')
    .action(run(async () => (await import('./commands/lab.js')).labSchemaCommand()));

  program
    .command('demo')
    .description('Run the built-in demo: engine, offline base images, commands in containers.')
    .action(run(async () => (await import('./commands/demo.js')).demoCommand()));
  return program;
}

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  try {
    await buildProgram((code) => (exitCode = code)).parseAsync(argv);
  } catch (error) {
    // Commander has already printed its own message for usage mistakes, help and version.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    exitCode = reportFailure(error);
  }
  return exitCode;
}

process.exitCode = await main(process.argv);
