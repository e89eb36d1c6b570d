import { Argument, Command, Option } from 'commander';
import { createRequire } from 'node:module';
import type { DockerFlags } from './docker-flags.js';
import type { GlobalFlags } from './invocation/global-options.js';
import { addOptionSet } from './option-flags.js';
import { TEST_FLAGS } from './test-flags.js';
import { configureUsageErrors } from './usage-errors.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The command tree of `otto`. Actions import their command module when they run, so building the
 * tree loads commander alone (fast `--help`, and completion without user code).
 */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('otto')
    .description('Deploy to, test and monitor software on machines and Docker containers.')
    .version(version, '-V, --version')
    .exitOverride()
    .enablePositionalOptions();
  addGlobalOptions(program);
  const globals = () => program.opts<GlobalFlags>();
  const run = (load: () => Promise<number>) => async () => setExitCode(await load());
  // Global options are checked for every command, also those that use none of them; TAB never fails.
  program.hook('preAction', async (_program, action) => {
    if (action.name() === '__complete') return;
    const { resolveGlobalOptions } = await import('./invocation/global-options.js');
    resolveGlobalOptions(globals());
  });
  program.action(async () => {
    if (program.args.length > 0) throw await unknownCommand(program, program.args[0]!);
    const flags = globals();
    if (!flags.listLabs && !flags.listHosts && !flags.showLab) return void program.help();
    setExitCode(await (await import('./commands/lab-listing.js')).labListingCommand(flags));
  });

  program
    .command('run')
    .description('Run an instruction of the repos (otto run <instruction> --help for its options).')
    .argument('[instruction]', 'the instruction to run')
    .argument('[args...]', "the instruction's own options")
    .option('--list-instructions', 'list the instructions of the repos')
    .helpOption('-h, --help', 'help for run (otto run <instruction> --help: its options)')
    .passThroughOptions()
    .allowUnknownOption()
    .action(
      async (name: string | undefined, args: string[], flags: { listInstructions?: boolean }) => {
        const { runCommand } = await import('./commands/run.js');
        setExitCode(await runCommand(globals(), name, args, flags));
      },
    );

  program
    .command('test')
    .description('Run a suite of the repos on Vitest (otto test <Suite> --help for its options).')
    .argument('[suite]', 'the suite to run')
    .argument('[args...]', "the suite's own options (otto test's flags may come here too)")
    .option('--list-suites', 'list the suites of the repos')
    .helpOption('-h, --help', 'help for test (otto test <Suite> --help: its options)')
    .passThroughOptions()
    .allowUnknownOption();
  addOptionSet(program.commands.at(-1)!, TEST_FLAGS).action(
    async (name: string | undefined, args: string[], flags: Record<string, unknown>) => {
      const { testCommand } = await import('./commands/test.js');
      setExitCode(await testCommand(globals(), name, args, flags));
    },
  );

  program
    .command('host')
    .description('Run commands on a lab host, copy files to and from it, or log in.')
    .argument('<id>', 'the host id (otto --list-hosts)')
    .addArgument(
      new Argument('<action>', 'run CMD..., put SRC... DIR, get SRC... DIR, login').choices([
        'run',
        'put',
        'get',
        'login',
      ]),
    )
    .argument('[args...]', 'commands (quote each), or sources then a destination folder')
    .option('--hop <id>', 'reach the host through this lab host (replaces its last hop)')
    .addOption(new Option('--term <kind>', 'terminal protocol').choices(['ssh', 'telnet']))
    .addOption(
      new Option('--transfer <kind>', 'file transfer protocol').choices([
        'scp',
        'sftp',
        'ftp',
        'nc',
        'shell',
        'auto',
      ]),
    )
    .action(async (id: string, action: string, args: string[], flags: Record<string, string>) => {
      const { hostCommand } = await import('./commands/host.js');
      setExitCode(await hostCommand(globals(), id, action as 'run', args, flags));
    });

  addMonitorCommand(program, setExitCode);

  const reservation = program
    .command('reservation')
    .description('Who the reservation gate checks as, and whether the lab is yours.');
  for (const [action, text] of [
    ['whoami', 'Show the user, where the name comes from, the backend and the lab.'],
    ['check', 'Check that the user holds every resource the lab needs (exit 1 if not).'],
  ] as const) {
    reservation
      .command(action)
      .description(text)
      .action(
        run(async () =>
          (await import('./commands/reservation.js')).reservationCommand(globals(), action),
        ),
      );
  }

  addCompletionCommands(program);
  addToolCommands(program, setExitCode);
  // Set last, so that it is the root's alone: extra words there are a mistaken command name.
  program.allowExcessArguments();
  return configureUsageErrors(program);
}

/** `otto bogus`: the command named does not exist; suggests the closest ones. */
async function unknownCommand(program: Command, name: string): Promise<Error> {
  const [{ ConfigError }, { closestIds }] = await Promise.all([
    import('../errors.js'),
    import('../lab/closest.js'),
  ]);
  const names = program.commands
    .map((command) => command.name())
    .filter((command) => !command.startsWith('__'));
  const near = closestIds(name, names);
  return new ConfigError(
    'UNKNOWN_COMMAND',
    `unknown command "${name}"${near ? `; did you mean ${near}?` : '.'} Commands: ${names.join(', ')}.`,
    { fix: 'otto --help describes them; global options come before the command.' },
  );
}

/** `otto monitor [HOSTS]`: live metrics and the dashboard, or the replay of a recording. */
function addMonitorCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('monitor')
    .description(
      "Poll the lab's hosts for metrics and serve a live dashboard; or replay a recording (--file).",
    )
    .argument('[hosts]', 'host ids to poll, comma-separated (default: every host of the lab files)')
    .option('--hosts <regex>', 'poll the hosts whose ids match this regular expression')
    .option('-i, --interval <seconds>', 'tick period, at least 0.5 (default: 5)')
    .option('--db <path>', 'record into this SQLite file (default: nothing is recorded)')
    .option('-f, --file <path>', 'replay a recording (.db or .json): no lab, no collection')
    .option(
      '--export <path>',
      'write the recording as .json or .db: at the end, or with --file at once',
    )
    .option('--bind <address>', 'address the dashboard listens on (default: 127.0.0.1)')
    .option('--port <port>', 'port of the dashboard (default: 0, a free one)')
    .option('--processes <count>', 'record the top processes of each host (default: 0)')
    .option('-d, --duration <seconds>', 'stop after this long (default: at Ctrl-C)')
    .addHelpText(
      'after',
      [
        '',
        'Container hosts (compose services) are polled only when named or matched by --hosts: their',
        "/proc shows the CPU and memory of the machine running their engine, not the container's.",
        'Bound beyond loopback (--bind 0.0.0.0), the dashboard needs a random access token, which the',
        'URL printed as "dashboard: <url>" carries.',
        '',
        'Examples:',
        '  otto -l lab1 monitor web1,db1 --interval 2 --db run.db',
        '  otto monitor --file run.db',
        '  otto monitor --file run.db --export run.json',
        '',
      ].join('\n'),
    )
    .action(async (hosts: string | undefined, flags: Record<string, string>) => {
      const { monitorCommand } = await import('./commands/monitor.js');
      setExitCode(await monitorCommand(program.opts<GlobalFlags>(), hosts, flags));
    });
}

/** `otto completion <shell>`, and the hidden `otto __complete` the scripts call on TAB. */
function addCompletionCommands(program: Command): void {
  program
    .command('completion')
    .description('Print the shell completion script: source <(otto completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh') => {
      const { completionScript } = await import('./completion/completion-scripts.js');
      process.stdout.write(completionScript(shell));
    });
  program
    .command('__complete', { hidden: true })
    .description('Completion candidates, one a line (run by the completion scripts on TAB).')
    .argument('<index>')
    .argument('[words...]')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .action(async (index: string, words: string[]) => {
      const { completeCommandLine } = await import('./completion/complete-command-line.js');
      process.stdout.write(await completeCommandLine(program, words, Number(index)));
    });
}

function addGlobalOptions(program: Command): void {
  program
    .option('-l, --lab <names>', 'labs to use, comma-separated (default: $OTTO_LAB)')
    .option(
      '-x, --xdir <dir>',
      'root of logs and artifacts (default: $OTTO_XDIR, else $XDG_STATE_HOME/otto-ts, else ~/.local/state/otto-ts)',
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'console log level (default: $OTTO_LOG_LEVEL, else info)',
      ).choices(['debug', 'info', 'warn', 'error']),
    )
    .option(
      '--log-days <days>',
      'remove output folders older than this (default: $OTTO_LOG_DAYS, else 30; 0 keeps all)',
    )
    .option('-n, --dry-run', 'connect to nothing: log commands and transfers as skipped')
    .option('--as-user <user>', 'check reservations as this user')
    .option('-R, --skip-reservation-check', 'skip the reservation gate (with a warning)')
    .option('--list-labs', 'list the labs the repos know')
    .option('--list-hosts', "list the lab's hosts")
    .option('--show-lab', 'show the lab as JSON (users, never passwords)');
}

function addToolCommands(program: Command, setExitCode: (code: number) => void): void {
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

  addDockerCommands(program, setExitCode);

  const lab = program.command('lab').description('Lab files: the hosts of a test lab.');
  lab
    .command('schema')
    .description('Print the JSON Schema of lab files (hosts.json), for editors.')
    .action(run(async () => (await import('./commands/lab.js')).labSchemaCommand()));

  program
    .command('demo')
    .description(
      'Run the built-in demo: a compose stack of offline images, otto run and otto test on it.',
    )
    .action(
      run(async () =>
        (await import('./commands/demo.js')).demoCommand(program.opts<GlobalFlags>()),
      ),
    );
}

/** `otto docker build|up|down|ps|clean`: the repo's images and compose stacks, on any engine. */
function addDockerCommands(program: Command, setExitCode: (code: number) => void): void {
  const globals = () => program.opts<GlobalFlags>();
  const docker = program
    .command('docker')
    .description("The repo's Docker images and compose stacks, on this machine or a lab host.");
  const onOption = () =>
    new Option('--on <host>', 'the docker-capable lab host whose engine to use (default: local)');
  docker
    .command('build')
    .description("Build the repo's images (all, or those named) unless their content hash exists.")
    .argument('[images...]', 'images of [[docker.images]] to build (default: all)')
    .addOption(onOption())
    .option('--rebuild', 'build even when an image of the same content hash exists')
    .action(async (images: string[], flags: DockerFlags) => {
      const { dockerBuildCommand } = await import('./commands/docker-build.js');
      setExitCode(await dockerBuildCommand(globals(), images, flags));
    });
  for (const [action, text] of [
    ['up', "Build the repo's images, then start its compose stacks (nothing if they are up)."],
    ['down', 'Stop and remove the compose stacks otto started, with their networks.'],
    ['ps', 'List the containers of the compose stacks, with their host ids.'],
  ] as const) {
    const command = docker.command(action).description(text).addOption(onOption());
    if (action === 'up') command.option('--no-build', "do not build the repo's images first");
    command.action(async (flags: DockerFlags) => {
      const { dockerComposeCommand } = await import('./commands/docker-compose.js');
      setExitCode(await dockerComposeCommand(globals(), action, flags));
    });
  }
  docker
    .command('clean')
    .description(
      'Remove what dead otto processes left in the engine (containers, networks, volumes).',
    )
    .addOption(onOption())
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action(async (flags: DockerFlags) => {
      const { dockerCleanCommand } = await import('./commands/docker-clean.js');
      setExitCode(await dockerCleanCommand(globals(), flags));
    });
}
