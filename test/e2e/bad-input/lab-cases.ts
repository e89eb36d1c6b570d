import { join } from 'node:path';
import type { BadInputCase } from './case.js';
import {
  host,
  hostsFileReplacedBy,
  labCase,
  LIST,
  oneProblem,
  PASSPHRASE,
  PASSWORD,
  SECONDS,
  SECRETS,
  settingsCase,
  settingsFile,
  settingsProblem,
  severalProblems,
  WHOLE_PORT,
  wholeSettingsCase,
} from './lab-kit.js';

/**
 * Bad lab files and settings files, each a mistake users make: the lab `main` is listed with
 * `otto -l main --list-hosts`, and must be refused with exit code 2, the whole problem on the
 * first line (or, for several, every one listed), and no password on any stream.
 */

/** The ports the issue lists: in quotes, 0, negative, fractional, above 65535. */
const PORT_CASES = (
  [
    ['a port in quotes', '22'],
    ['port 0', 0],
    ['a negative port', -22],
    ['a fractional port', 22.5],
    ['a port above 65535', 70000],
  ] as const
).map(([name, port]) =>
  labCase(name, [host({ port })], `host #1 (db): port: ${WHOLE_PORT}, got ${JSON.stringify(port)}`),
);

/** Timeouts are seconds above 0, at most a day: zero, negative, with a unit, in milliseconds. */
const TIMEOUT_CASES = (
  [
    ['a zero connect_timeout', 0],
    ['a negative connect_timeout', -1],
    ['a connect_timeout with a unit', '10s'],
    ['a connect_timeout in milliseconds', 10000000],
  ] as const
).map(([name, seconds]) =>
  labCase(
    name,
    [host({ ssh_options: { connect_timeout: seconds } })],
    `host #1 (db): ssh_options.connect_timeout: ${SECONDS}, got ${JSON.stringify(seconds)}`,
  ),
);

const OPTION_CASES: BadInputCase[] = [
  ...PORT_CASES,
  ...TIMEOUT_CASES,
  labCase(
    'ssh_options.port in quotes',
    [host({ ssh_options: { port: '2222' } })],
    `host #1 (db): ssh_options.port: ${WHOLE_PORT}, got "2222"`,
  ),
  labCase(
    'a typo "prot" in ssh_options',
    [host({ ssh_options: { prot: 2222 } })],
    'host #1 (db): ssh_options: unknown field "prot"; did you mean "port"?',
  ),
  labCase(
    'a typo conect_timeout in ssh_options',
    [host({ ssh_options: { conect_timeout: 5 } })],
    'host #1 (db): ssh_options: unknown field "conect_timeout"; did you mean "connect_timeout"?',
  ),
  labCase(
    'an ssh option otto-ts does not read',
    [host({ ssh_options: { keepalive_interval: 30 } })],
    'host #1 (db): ssh_options: unknown field "keepalive_interval"; ssh_options takes "port", "known_hosts" and "connect_timeout"',
  ),
  labCase(
    'an empty known_hosts path',
    [host({ ssh_options: { known_hosts: '' } })],
    'host #1 (db): ssh_options.known_hosts: must not be empty',
  ),
  labCase(
    'ssh_options written as a string',
    [host({ ssh_options: 'port=2222' })],
    'host #1 (db): ssh_options: expected an object, got "port=2222"',
  ),
  labCase(
    'a typo in telnet_options',
    [host({ term: 'telnet', telnet_options: { login_promt: 'login:' } })],
    'host #1 (db): telnet_options: unknown field "login_promt"; did you mean "login_prompt"?',
  ),
  labCase(
    'a port given twice, differently',
    [host({ port: 22, ssh_options: { port: 2222 } })],
    'host #1 (db): port: 22 and ssh_options.port 2222 disagree; give the SSH port once',
  ),
];

const HOST_CASES: BadInputCase[] = [
  labCase(
    'empty creds',
    [host({ creds: {} })],
    'host #1 (db): creds: names no user: give at least one { "<user>": "<password>" }',
  ),
  {
    ...labCase(
      'a password that is a number',
      [host({ creds: { otto: 31415926 } })],
      'host #1 (db): creds.otto: expected a string',
    ),
    secrets: [...SECRETS, '31415926'],
  },
  labCase(
    'creds as a list of pairs',
    [host({ creds: [['otto', PASSWORD]] })],
    'host #1 (db): creds: expected an object, got a list',
  ),
  labCase(
    'an empty user name in creds',
    [host({ creds: { '': PASSWORD } })],
    'host #1 (db): creds[""]: a user name must not be empty',
  ),
  labCase(
    'a user that creds does not have',
    [host({ user: 'root' })],
    'host #1 (db): user: "root" is not a user of creds ("otto")',
  ),
  labCase(
    'a passphrase without a key',
    [host({ passphrase: PASSPHRASE })],
    'host #1 (db): passphrase: given without "key": a passphrase unlocks the private key file that "key" names',
  ),
  labCase(
    'a password field instead of creds',
    [host({ password: PASSWORD })],
    'host #1 (db): unknown field "password"; did you mean "creds"?',
  ),
  labCase(
    'a typo in a field name',
    [host({ trem: 'ssh' })],
    'host #1 (db): unknown field "trem"; did you mean "term"?',
  ),
  labCase(
    'an unknown term',
    [host({ term: 'sssh' })],
    'host #1 (db): term: expected one of "ssh", "telnet", got "sssh"; did you mean "ssh"?',
  ),
  labCase(
    'an unknown transfer',
    [host({ transfer: 'rsync' })],
    'host #1 (db): transfer: expected one of "scp", "sftp", "ftp", "nc", "shell", "auto", got "rsync"',
  ),
  labCase(
    'labs as a string',
    [host({ labs: 'main' })],
    'host #1 (db): labs: expected a list, got "main"',
  ),
  labCase(
    'log as the word yes',
    [host({ log: 'yes' })],
    'host #1 (db): log: expected true or false, got "yes"',
  ),
  labCase(
    'an unknown toolchain key',
    [host({ toolchain: { sysroot: '/opt/sdk', gdb: 'bin/gdb' } })],
    'host #1 (db): toolchain: unknown field "gdb"; toolchain takes "sysroot", "gcov" and "lcov"',
  ),
  labCase(
    'an address written as a number',
    [host({ ip: 10.5 })],
    'host #1 (db): ip: expected a string, got 10.5',
  ),
  labCase('a host that is a string', ['db'], 'host #1: expected an object, got "db"'),
  labCase(
    'a NUL character in an address',
    [host({ ip: '10.0.0.5\u0000' })],
    'host #1 (db): ip: holds a NUL character (\\u0000), which no string may hold',
  ),
  labCase(
    'a NUL character in a password',
    [host({ creds: { otto: `${PASSWORD}\u0000x` } })],
    'host #1 (db): creds.otto: holds a NUL character (\\u0000), which no string may hold',
  ),
];

const LAB_CASES_OF_HOSTS: BadInputCase[] = [
  labCase(
    'a hop to a host the lab lacks',
    [host({ id: 'jump' }), host({ id: 'db', hop: 'jumq' })],
    'db: hop: no host "jumq" in the lab; did you mean "jump"?',
  ),
  severalProblems(
    'a host that is its own hop, and one in a cycle',
    [host({ id: 'a', hop: 'a' }), host({ id: 'b', hop: 'c' }), host({ id: 'c', hop: 'b' })],
    [
      'a: hop: hop cycle: a -> a',
      'b: hop: hop cycle: b -> c -> b',
      'c: hop: hop cycle: c -> b -> c',
    ],
  ),
  labCase(
    'a hop through a telnet host',
    [host({ id: 'console', term: 'telnet' }), host({ id: 'db', hop: 'console' })],
    'db: hop: "console" uses term "telnet"; a hop must be an SSH host',
  ),
  labCase(
    'the same id twice in one file',
    [host({ id: 'db' }), host({ id: 'db', ip: '10.0.0.6' })],
    'host #2 (db): id: the id "db" is already the id of host #1; ids must be unique',
  ),
  labCase(
    'the same ne and board twice',
    [host({ ne: 'carrot', board: 'seed' }), host({ ne: 'Carrot', board: 'Seed' })],
    'host #2 (carrot_seed): the id "carrot_seed" (made of ne and board) is already the id of host #1; ids must be unique',
  ),
  severalProblems(
    'a string port and another host without ip',
    [host({ id: 'a', port: '22' }), host({ id: 'b', ip: undefined, passphrase: PASSPHRASE })],
    [
      `host #1 (a): port: ${WHOLE_PORT}, got "22"`,
      'host #2 (b): ip: is required',
      'host #2 (b): passphrase: given without "key": a passphrase unlocks the private key file that "key" names',
    ],
  ),
  // The hop is not "missing": only its own problem is listed.
  labCase(
    'an invalid host that another uses as its hop',
    [host({ id: 'jump', port: 0 }), host({ id: 'db', hop: 'jump' })],
    `host #1 (jump): port: ${WHOLE_PORT}, got 0`,
  ),
];

const FILE_CASES: BadInputCase[] = [
  {
    name: 'Latin-1 bytes in an id',
    hosts: Buffer.concat([
      Buffer.from('[\n  {"id": "caf'),
      Buffer.from([0xe9]),
      Buffer.from(`", "ip": "10.0.0.5", "ne": "db", "creds": {"otto": "${PASSWORD}"}}\n]\n`),
    ]),
    args: LIST,
    exitCode: 2,
    firstLine: oneProblem(
      'is not UTF-8 text: byte 0xE9 at byte offset 15 (line 2) is not valid UTF-8; save the file as UTF-8',
    ),
    secrets: SECRETS,
  },
  {
    name: 'a file saved as UTF-16',
    hosts: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(JSON.stringify([host()]), 'utf16le'),
    ]),
    args: LIST,
    exitCode: 2,
    firstLine: oneProblem(
      'is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8',
    ),
    secrets: SECRETS,
  },
  labCase(
    'a trailing comma',
    `[\n  {"ip": "10.0.0.5", "ne": "db", "creds": {"otto": "${PASSWORD}"},}\n]\n`,
    'invalid JSON at line 2, column 69: unexpected "}" after ","; JSON allows no trailing comma',
  ),
  labCase(
    'a comment in the file',
    `[\n  // the database\n  {"ip": "10.0.0.5", "ne": "db", "creds": {"otto": "${PASSWORD}"}}\n]\n`,
    'invalid JSON at line 2, column 3: a comment, and JSON has no comments',
  ),
  labCase(
    'a missing comma after a BOM',
    `\uFEFF[\n  {"ip": "10.0.0.5", "ne": "a", "creds": {}}\n  {"ip": "10.0.0.6", "ne": "b", "creds": {}}\n]\n`,
    'invalid JSON at line 3, column 3: expected "," or "]", got "{" (a missing comma?)',
  ),
  labCase(
    'a file cut short',
    `[\n  {"ip": "10.0.0.5", "ne": "db", "creds": {"otto": "${PASSWORD}"}}\n`,
    'invalid JSON at line 3, column 1: the file ends before the "[" at line 1, column 1 is closed',
  ),
  labCase('an empty hosts.json', '', 'invalid JSON at line 1, column 1: the file is empty'),
  labCase(
    'single quotes, as in Python',
    `[{'ip': '10.0.0.5', 'ne': 'db'}]`,
    'invalid JSON at line 1, column 3: unexpected "\'": object keys are strings in double quotes',
  ),
  labCase(
    'Python True',
    '[{"ip": "10.0.0.5", "ne": "db", "is_virtual": True}]',
    'invalid JSON at line 1, column 47: unexpected "True": a JSON value is an object, a list, a string in double quotes, a number, true, false or null',
  ),
  labCase(
    'an unknown top-level field of the object form',
    { name: 'main', hosts: [host()], version: 2 },
    'unknown top-level field "version"',
  ),
  labCase('the object form without a name', { hosts: [host()] }, 'name: is required'),
  labCase(
    'a top-level string',
    '"main"',
    'expected a top-level array of hosts, or an object { "name": ..., "hosts": [...] }, got "main"',
  ),
  hostsFileReplacedBy('FIFO'),
  hostsFileReplacedBy('folder'),
  wholeSettingsCase(
    'a lab folder that does not exist',
    'name = "demo"\nversion = "1.0.0"\nlabs = ["${sutDir}/../labs/nope"]\n',
    (repo) =>
      `otto: The lab has 1 problem: ${join(repo.base, 'labs', 'nope', 'hosts.json')}: cannot read it: no such file`,
  ),
];

const SETTINGS_CASES: BadInputCase[] = [
  settingsCase(
    'a default SSH port in quotes',
    '[host_defaults.ssh_options]\nport = "22"\n',
    `host_defaults.ssh_options.port: ${WHOLE_PORT}, got "22"`,
  ),
  settingsCase(
    'a typo in a default SSH option',
    '[host_defaults.ssh_options]\nconect_timeout = 5\n',
    'host_defaults.ssh_options: unknown key "conect_timeout"; did you mean "connect_timeout"?',
  ),
  settingsCase(
    'a negative default connect_timeout',
    '[host_defaults.ssh_options]\nconnect_timeout = -5\n',
    `host_defaults.ssh_options.connect_timeout: ${SECONDS}, got -5`,
  ),
  settingsCase(
    'a typo in a host_defaults table name',
    '[host_defaults.ssh_optons]\nport = 22\n',
    'host_defaults: unknown key "ssh_optons"; did you mean "ssh_options"?',
  ),
  settingsCase(
    'a default telnet option that does not exist',
    '[host_defaults.telnet_options]\nprot = 23\n',
    'host_defaults.telnet_options: unknown key "prot"; did you mean "port"?',
  ),
  settingsCase(
    'lab instead of labs',
    'lab = "main"\n',
    '(top): unknown key "lab"; did you mean "labs"?',
  ),
  settingsCase(
    'a NUL character in a settings string',
    'libs = ["lib\\u0000"]\n',
    'libs[0]: holds a NUL character (\\u0000), which no string may hold',
  ),
  wholeSettingsCase(
    'a two-part version',
    'name = "demo"\nversion = "1.0"\nlabs = ["${sutDir}/../labs/main"]\n',
    settingsProblem('version: expected a version X.Y.Z, got "1.0"'),
  ),
  wholeSettingsCase(
    'labs as a string in settings',
    'name = "demo"\nversion = "1.0.0"\nlabs = "${sutDir}/../labs/main"\n',
    (repo) =>
      `otto: The repo settings ${settingsFile(repo)} have 1 problem: labs: expected a list, got ${JSON.stringify(`${repo.root}/../labs/main`)}`,
  ),
  {
    name: 'a TOML value with a unit',
    settings: '[host_defaults.ssh_options]\nconnect_timeout = 10s\n',
    hosts: [host()],
    args: LIST,
    exitCode: 2,
    firstLine: (repo) =>
      `otto: Invalid TOML in ${settingsFile(repo)} at line 5, column 21: Invalid TOML document: illegal character in numeric literal`,
  },
  wholeSettingsCase(
    'Latin-1 bytes in settings.toml',
    Buffer.from([...Buffer.from('name = "caf'), 0xe9, ...Buffer.from('"\nversion = "1.0.0"\n')]),
    (repo) =>
      `otto: Invalid repo settings ${settingsFile(repo)}: it is not UTF-8 text: byte 0xE9 at byte offset 11 (line 1) is not valid UTF-8; save the file as UTF-8`,
  ),
];

/** Bad lab files and settings files. */
export const LAB_CASES: BadInputCase[] = [
  ...OPTION_CASES,
  ...HOST_CASES,
  ...LAB_CASES_OF_HOSTS,
  ...FILE_CASES,
  ...SETTINGS_CASES,
];
