import { Argument, Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CachedInstruction } from './completion-cache.js';
import { completeWords, flagValueIn, type CompletionSources } from './complete-words.js';

/** The shape of `otto` (src/cli/main.ts runs the CLI when imported, so it is mirrored here). */
function buildProgram(): Command {
  const program = new Command('otto')
    .version('0.1.0', '-V, --version')
    .enablePositionalOptions()
    .option('-l, --lab <names>', 'labs to use')
    .option('-x, --xdir <dir>', 'logs and artifacts')
    .addOption(new Option('--log-level <level>').choices(['debug', 'info', 'warn', 'error']))
    .option('--log-days <n>', 'days of logs to keep')
    .option('-n, --dry-run', 'say, do not do')
    .option('--as-user <user>', 'run as this user')
    .option('-R, --skip-reservation-check', 'skip the reservation check')
    .option('--list-labs', 'list labs')
    .option('--list-hosts', 'list hosts')
    .option('--show-lab', 'show the lab')
    .action(() => {});
  program.command('engine').command('ensure');
  program
    .command('image')
    .command('base')
    .addArgument(new Argument('<kind>').choices(['busybox', 'debian']))
    .option('-f, --force', 'build anyway')
    .option('--mirror <url>', 'Debian mirror');
  program.command('lab').command('schema');
  program.command('demo');
  program
    .command('run')
    .argument('[instruction]')
    .argument('[options...]')
    .option('--list-instructions', 'list instructions')
    .allowUnknownOption()
    .passThroughOptions();
  program
    .command('test')
    .argument('[suite]')
    .argument('[options...]')
    .option('--list-suites', 'list suites')
    .allowUnknownOption()
    .passThroughOptions();
  program
    .command('host')
    .argument('<id>')
    .addArgument(new Argument('<action>').choices(['run', 'put', 'get', 'login']))
    .argument('[args...]')
    .option('--hop <id>', 'last hop')
    .addOption(new Option('--term <term>').choices(['ssh', 'telnet']))
    .addOption(new Option('--transfer <transfer>').choices(['scp', 'sftp', 'ftp', 'nc']));
  program
    .command('monitor')
    .argument('[hosts]')
    .option('--hosts <regex>', 'hosts matching')
    .option('-i, --interval <seconds>', 'tick period');
  const reservation = program.command('reservation');
  reservation.command('whoami');
  reservation.command('check');
  program.command('completion').addArgument(new Argument('<shell>').choices(['bash', 'zsh']));
  program.command('__complete', { hidden: true }).argument('<index>').argument('[words...]');
  return program;
}

const INSTRUCTIONS: CachedInstruction[] = [
  {
    name: 'deploy',
    help: 'Deploy the build.',
    flags: [
      { flag: '--count', takesValue: true },
      { flag: '--mode', takesValue: true, choices: ['safe', 'fast'] },
      { flag: '--no-debug', takesValue: false },
    ],
  },
  { name: 'dump', help: 'Dump logs.', flags: [] },
];

const HOSTS: Record<string, string[]> = {
  '(OTTO_LAB)': ['carrot', 'pepper'],
  lab1: ['alpha', 'beta'],
  lab2: ['gamma'],
};

/** Fake sources that record the labs asked for. */
function fakeSources(): CompletionSources & { labsAsked: Array<string | undefined> } {
  const labsAsked: Array<string | undefined> = [];
  return {
    labsAsked,
    instructions: () => Promise.resolve(INSTRUCTIONS),
    suites: () =>
      Promise.resolve([
        {
          name: 'WebSuite',
          help: '',
          flags: [
            { flag: '--port', takesValue: true },
            { flag: '--markers', takesValue: true },
          ],
        },
      ]),
    hostIds: (lab) => {
      labsAsked.push(lab);
      return Promise.resolve(HOSTS[lab ?? '(OTTO_LAB)'] ?? []);
    },
  };
}

/** Completes the last of `words`, as the shell does on TAB at the end of a line. */
function complete(words: string[], sources: CompletionSources = fakeSources()): Promise<string[]> {
  return completeWords(buildProgram(), words, words.length - 1, sources);
}

describe('completeWords: commands', () => {
  it('offers every visible command, never the hidden __complete', async () => {
    expect(await complete([''])).toEqual([
      'completion',
      'demo',
      'engine',
      'host',
      'image',
      'lab',
      'monitor',
      'reservation',
      'run',
      'test',
    ]);
    expect(await complete(['__'])).toEqual([]);
  });

  it('offers the commands that start with the word', async () => {
    expect(await complete(['re'])).toEqual(['reservation']);
    expect(await complete(['reservation', ''])).toEqual(['check', 'help', 'whoami']);
    expect(await complete(['engine', 'e'])).toEqual(['ensure']);
  });

  it('offers choices of an argument', async () => {
    expect(await complete(['image', 'base', ''])).toEqual(['busybox', 'debian']);
    expect(await complete(['completion', ''])).toEqual(['bash', 'zsh']);
    expect(await complete(['completion', 'z'])).toEqual(['zsh']);
  });

  it('completes the word at the index, whatever follows it', async () => {
    const words = ['ima', 'base', 'debian'];
    expect(await completeWords(buildProgram(), words, 0, fakeSources())).toEqual(['image']);
  });
});

describe('completeWords: options', () => {
  it('offers the flags of the command reached, short and long', async () => {
    expect(await complete(['-'])).toEqual([
      '--as-user',
      '--dry-run',
      '--help',
      '--lab',
      '--list-hosts',
      '--list-labs',
      '--log-days',
      '--log-level',
      '--show-lab',
      '--skip-reservation-check',
      '--version',
      '--xdir',
      '-R',
      '-V',
      '-h',
      '-l',
      '-n',
      '-x',
    ]);
    expect(await complete(['--l'])).toEqual([
      '--lab',
      '--list-hosts',
      '--list-labs',
      '--log-days',
      '--log-level',
    ]);
    expect(await complete(['image', 'base', '--'])).toEqual(['--force', '--help', '--mirror']);
  });

  it('offers the choices of an option value, in each way shells split --flag=value', async () => {
    expect(await complete(['--log-level', ''])).toEqual(['debug', 'error', 'info', 'warn']);
    expect(await complete(['--log-level', 'w'])).toEqual(['warn']);
    // bash: `--log-level=` is `--log-level` `=`, and `--log-level=d` is `--log-level` `=` `d`.
    expect(await complete(['--log-level', '='])).toEqual(['debug', 'error', 'info', 'warn']);
    expect(await complete(['--log-level', '=', 'd'])).toEqual(['debug']);
    // zsh keeps the word whole and replaces it whole.
    expect(await complete(['--log-level=e'])).toEqual(['--log-level=error']);
    expect(await complete(['--dry-run=d'])).toEqual([]);
  });

  it('offers nothing for a value without choices (the shell then completes file names)', async () => {
    expect(await complete(['--xdir', ''])).toEqual([]);
    expect(await complete(['-x', 'r'])).toEqual([]);
  });

  it('skips the values of options that take one', async () => {
    expect(await complete(['-x', 'run', ''])).toEqual(await complete(['']));
    expect(await complete(['-x', 'run', 'de'])).toEqual(['demo']);
    expect(await complete(['--log-days', '3', '-n', 'i'])).toEqual(['image']);
    expect(await complete(['--xdir=/tmp', 'image', 'base', '--mirror', 'busybox', ''])).toEqual([
      'busybox',
      'debian',
    ]);
    expect(await complete(['--log-level', '=', 'info', 'la'])).toEqual(['lab']);
  });
});

describe('completeWords: run', () => {
  it('offers instruction names from the sources', async () => {
    expect(await complete(['run', ''])).toEqual(['deploy', 'dump']);
    expect(await complete(['run', 'de'])).toEqual(['deploy']);
    expect(await complete(['run', '--'])).toEqual(['--help', '--list-instructions']);
  });

  it('offers suite names after test, then their flags', async () => {
    expect(await complete(['test', ''])).toEqual(['WebSuite']);
    expect(await complete(['test', 'WebSuite', '--'])).toEqual(['--help', '--markers', '--port']);
    expect(await complete(['run', ''])).toEqual(['deploy', 'dump']);
  });

  it("offers the instruction's flags and --help, and choices of their values", async () => {
    expect(await complete(['run', 'deploy', ''])).toEqual([
      '--count',
      '--help',
      '--mode',
      '--no-debug',
    ]);
    expect(await complete(['run', 'deploy', '--count', '3', '--n'])).toEqual(['--no-debug']);
    expect(await complete(['run', 'deploy', '--mode', ''])).toEqual(['fast', 'safe']);
    expect(await complete(['-l', 'lab1', 'run', 'deploy', '--mode=s'])).toEqual(['--mode=safe']);
  });

  it('offers only --help after an instruction the cache does not know', async () => {
    expect(await complete(['run', 'nothere', ''])).toEqual(['--help']);
    const empty = { instructions: () => Promise.resolve([]), hostIds: () => Promise.resolve([]) };
    expect(await complete(['run', ''], empty)).toEqual([]);
  });
});

describe('completeWords: host', () => {
  it('offers the host ids of $OTTO_LAB when no lab is given', async () => {
    const sources = fakeSources();
    expect(await complete(['host', ''], sources)).toEqual(['carrot', 'pepper']);
    expect(sources.labsAsked).toEqual([undefined]);
  });

  it('offers the host ids of the lab that -l/--lab names, in every spelling', async () => {
    for (const words of [
      ['-l', 'lab2', 'host', ''],
      ['--lab', 'lab2', 'host', ''],
      ['--lab=lab2', 'host', ''],
      ['--lab', '=', 'lab2', 'host', ''],
      ['-l=lab2', 'host', ''],
      ['-llab2', 'host', ''],
      ['-nl', 'lab2', 'host', ''],
      ['-l', 'lab1', '-n', '--lab', 'lab2', 'host', ''],
    ]) {
      const sources = fakeSources();
      expect({ words, ids: await complete(words, sources) }).toEqual({ words, ids: ['gamma'] });
      expect(sources.labsAsked).toEqual(['lab2']);
    }
  });

  it('offers the actions after a host id, and flags and their values', async () => {
    expect(await complete(['host', 'alpha', ''])).toEqual(['get', 'login', 'put', 'run']);
    expect(await complete(['host', 'alpha', 'run', '--t'])).toEqual(['--term', '--transfer']);
    expect(await complete(['host', 'alpha', '--term', ''])).toEqual(['ssh', 'telnet']);
    expect(await complete(['host', '--transfer', 'nc', 'alpha', 'p'])).toEqual(['put']);
  });

  it('offers host ids of the lab for --hop', async () => {
    const sources = fakeSources();
    expect(await complete(['-l', 'lab1', 'host', 'alpha', 'run', '--hop', ''], sources)).toEqual([
      'alpha',
      'beta',
    ]);
    expect(await complete(['host', '--hop=c'], sources)).toEqual(['--hop=carrot']);
    expect(sources.labsAsked).toEqual(['lab1', undefined]);
  });

  it('offers the subcommands after a host id when host has subcommands', async () => {
    const program = new Command('otto').option('-l, --lab <names>');
    const host = program.command('host').helpCommand(false);
    for (const action of ['run', 'put', 'get', 'login']) host.command(action);
    const sources = fakeSources();
    expect(await completeWords(program, ['host', 'beta', ''], 2, sources)).toEqual([
      'get',
      'login',
      'put',
      'run',
    ]);
    expect(await completeWords(program, ['host', ''], 1, sources)).toEqual(['carrot', 'pepper']);
  });
});

describe('completeWords: otto monitor', () => {
  it('offers host ids of the lab, and more of them after a comma', async () => {
    const sources = fakeSources();
    expect(await complete(['-l', 'lab1', 'monitor', ''], sources)).toEqual(['alpha', 'beta']);
    expect(await complete(['-l', 'lab1', 'monitor', 'alpha,'], sources)).toEqual(['alpha,beta']);
    expect(await complete(['monitor', 'carrot,p'], sources)).toEqual(['carrot,pepper']);
    expect(await complete(['monitor', '-i', '2', 'c'], sources)).toEqual(['carrot']);
    expect(await complete(['monitor', '--h'], sources)).toEqual(['--help', '--hosts']);
  });
});

describe('flagValueIn', () => {
  it('reads the last value of a flag, in any spelling', async () => {
    expect(await flagValueIn(buildProgram(), ['-x', '/a', 'run', ''], '--xdir')).toBe('/a');
    expect(await flagValueIn(buildProgram(), ['-x/a', '--xdir=/b', 'demo'], '--xdir')).toBe('/b');
    expect(await flagValueIn(buildProgram(), ['demo'], '--xdir')).toBeUndefined();
  });
});

describe('the __complete command as main.ts wires it', () => {
  /** The wiring proposed for main.ts, with the sources replaced by fakes. */
  function wireComplete(program: Command, print: (line: string) => void): Command {
    const cmd = program.commands.find((command) => command.name() === '__complete')!;
    cmd
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(async (index: string, words: string[]) => {
        for (const line of await completeWords(program, words, Number(index), fakeSources()))
          print(line);
      });
    return program;
  }

  it('hands every word to completeWords untouched, flags, -- and empty words included', async () => {
    const cases: Array<[string[], string[]]> = [
      [
        ['3', '-l', 'lab1', 'host', ''],
        ['alpha', 'beta'],
      ],
      [
        ['1', '--log-level', '='],
        ['debug', 'error', 'info', 'warn'],
      ],
      [['0', '--he'], ['--help']],
      [['0', '-V'], ['-V']],
      [
        ['2', 'run', 'deploy', '--'],
        ['--count', '--help', '--mode', '--no-debug'],
      ],
      [['1', 'run', '--help'], ['--help']],
    ];
    for (const [args, expected] of cases) {
      const lines: string[] = [];
      const program = wireComplete(buildProgram().exitOverride(), (line) => lines.push(line));
      await program.parseAsync(['node', 'otto', '__complete', ...args]);
      expect({ args, lines }).toEqual({ args, lines: expected });
    }
  });
});

describe('completeWords: docker --on', () => {
  it('offers only the Docker parents of the lab', async () => {
    const program = buildProgram();
    const docker = program.command('docker');
    for (const action of ['up', 'ps']) docker.command(action).option('--on <host>', 'parent');
    const sources = {
      ...fakeSources(),
      dockerParentIds: () => Promise.resolve(['local', 'dock_one']),
    };
    const complete = (words: string[]) => completeWords(program, words, words.length - 1, sources);
    expect(await complete(['docker', 'up', '--on', ''])).toEqual(['dock_one', 'local']);
    expect(await complete(['docker', 'ps', '--on', 'd'])).toEqual(['dock_one']);
  });
});
