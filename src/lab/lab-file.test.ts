import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseLabText, readLabFile } from './lab-file.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

/** The problems of a lab text, one line each, without the file. */
function problemsOf(hosts: unknown): string[] {
  const text = typeof hosts === 'string' ? hosts : JSON.stringify(hosts);
  return parseLabText(text, 'hosts.json').problems.map((problem) =>
    [problem.host, problem.path, problem.message].filter(Boolean).join(': '),
  );
}

const HOST = { ip: '10.0.0.1', ne: 'a', creds: { otto: 'secret-pw' } };

describe('parseLabText: option tables', () => {
  it('checks ssh_options strictly, with "did you mean", together with the other hosts', () => {
    expect(
      problemsOf([
        { ...HOST, ssh_options: { prot: 22, conect_timeout: 5, keepalive_interval: 3 } },
        { ne: 'b', creds: { otto: 'pw' } },
      ]),
    ).toEqual([
      'host #1 (a): ssh_options: unknown field "prot"; did you mean "port"?',
      'host #1 (a): ssh_options: unknown field "conect_timeout"; did you mean "connect_timeout"?',
      'host #1 (a): ssh_options: unknown field "keepalive_interval"; ssh_options takes "port", "known_hosts" and "connect_timeout"',
      'host #2 (b): ip: is required',
    ]);
  });

  it.each([
    ['22', '"22"'],
    [0, '0'],
    [-1, '-1'],
    [22.5, '22.5'],
    [65536, '65536'],
  ])('refuses the port %s, in the host and in ssh_options', (port, shown) => {
    expect(problemsOf([{ ...HOST, port, ssh_options: { port } }])).toEqual([
      `host #1 (a): port: expected a whole number from 1 to 65535, got ${shown}`,
      `host #1 (a): ssh_options.port: expected a whole number from 1 to 65535, got ${shown}`,
    ]);
  });

  it.each([0, -5, '10s', 86401])('refuses the connect_timeout %j (seconds)', (seconds) => {
    expect(problemsOf([{ ...HOST, ssh_options: { connect_timeout: seconds } }])).toEqual([
      `host #1 (a): ssh_options.connect_timeout: expected a number of seconds, more than 0 and at most 86400, got ${JSON.stringify(seconds)}`,
    ]);
  });

  it('takes the keys otto-ts reads, fractions of seconds included', () => {
    const { hosts, problems } = parseLabText(
      JSON.stringify([
        { ...HOST, ssh_options: { port: 2222, known_hosts: '~/kh', connect_timeout: 2.5 } },
      ]),
      'hosts.json',
    );
    expect(problems).toEqual([]);
    expect(hosts[0]?.entry.ssh_options).toEqual({
      port: 2222,
      known_hosts: '~/kh',
      connect_timeout: 2.5,
    });
  });

  it('refuses any key in the tables that take none yet', () => {
    expect(problemsOf([{ ...HOST, sftp_options: { env: 'x' } }])).toEqual([
      'host #1 (a): sftp_options: unknown field "env": otto-ts reads no sftp_options yet',
    ]);
  });

  it('checks telnet_options, ftp_options and nc_options strictly, with "did you mean"', () => {
    expect(
      problemsOf([
        {
          ...HOST,
          term: 'telnet',
          telnet_options: { login_promt: 'login:', password_prompt: '[', cols: 0, rows: 2.5 },
          ftp_options: { port: 21, pasive: true },
          nc_options: { exec_name: '', port_min: 9000, port_max: 70000, listener_timeout: 0 },
        },
      ]),
    ).toEqual([
      'host #1 (a): telnet_options.password_prompt: not a valid regular expression (/[/i: Unterminated character class)',
      'host #1 (a): telnet_options.cols: expected a whole number from 1 to 9999, got 0',
      'host #1 (a): telnet_options.rows: expected a whole number from 1 to 9999, got 2.5',
      'host #1 (a): telnet_options: unknown field "login_promt"; did you mean "login_prompt"?',
      'host #1 (a): ftp_options: unknown field "pasive"; ftp_options takes "port" and "connect_timeout"',
      'host #1 (a): nc_options.exec_name: must not be empty',
      'host #1 (a): nc_options.port_max: expected a whole number from 1 to 65535, got 70000',
      'host #1 (a): nc_options.listener_timeout: expected a number of seconds, more than 0 and at most 86400, got 0',
    ]);
  });

  it('takes the telnet, ftp and nc keys otto-ts reads', () => {
    const options = {
      telnet_options: {
        port: 2323,
        login_prompt: 'User name:\\s*$',
        password_prompt: 'Pass(word)?:',
        connect_timeout: 3,
        login_timeout: 12.5,
        cols: 132,
        rows: 43,
      },
      ftp_options: { port: 2121, connect_timeout: 4 },
      nc_options: { exec_name: 'busybox nc', port_min: 9100, port_max: 9199, listener_timeout: 5 },
    };
    const { hosts, problems } = parseLabText(
      JSON.stringify([{ ...HOST, term: 'telnet', transfer: 'auto', ...options }]),
      'hosts.json',
    );
    expect(problems).toEqual([]);
    expect(hosts[0]?.entry).toMatchObject(options);
  });

  it('refuses a telnet host with scp or sftp, ports that disagree and an empty nc range', () => {
    expect(
      problemsOf([
        { ...HOST, term: 'telnet', transfer: 'scp', port: 23, telnet_options: { port: 2323 } },
        { ...HOST, ne: 'b', nc_options: { port_min: 9500, port_max: 9400 } },
      ]),
    ).toEqual([
      'host #1 (a): port: 23 and telnet_options.port 2323 disagree; give the telnet port once',
      'host #1 (a): transfer: "scp" needs SSH; a telnet host moves files by "ftp", "nc", "shell", "auto"',
      'host #2 (b): nc_options.port_min: 9500 is above port_max 9400; give the lowest port first',
    ]);
  });
});

describe('parseLabText: host fields', () => {
  it('refuses empty creds, an empty user name and a user that creds lacks', () => {
    expect(
      problemsOf([
        { ...HOST, creds: {} },
        { ...HOST, ne: 'b', creds: { '': 'pw' } },
        { ...HOST, ne: 'c', user: 'root' },
      ]),
    ).toEqual([
      'host #1 (a): creds: names no user: give at least one { "<user>": "<password>" }',
      'host #2 (b): creds[""]: a user name must not be empty',
      'host #3 (c): user: "root" is not a user of creds ("otto")',
    ]);
  });

  it('never shows a password or passphrase it refuses', () => {
    const problems = problemsOf([
      { ...HOST, creds: { root: 12345678 }, key: '/k', passphrase: 87654321 },
    ]);
    expect(problems).toEqual([
      'host #1 (a): creds.root: expected a string',
      'host #1 (a): passphrase: expected a string',
    ]);
  });

  it('refuses a passphrase without a key, and two SSH ports that disagree', () => {
    expect(
      problemsOf([{ ...HOST, passphrase: 'x', port: 22, ssh_options: { port: 2222 } }]),
    ).toEqual([
      'host #1 (a): passphrase: given without "key": a passphrase unlocks the private key file that "key" names',
      'host #1 (a): port: 22 and ssh_options.port 2222 disagree; give the SSH port once',
    ]);
  });

  it('suggests the field meant for common other names', () => {
    expect(problemsOf([{ ...HOST, password: 'pw', hostname: 'x', trem: 'ssh' }])).toEqual([
      'host #1 (a): unknown field "password"; did you mean "creds"?',
      'host #1 (a): unknown field "hostname"; did you mean "ip"?',
      'host #1 (a): unknown field "trem"; did you mean "term"?',
    ]);
  });

  it('refuses a NUL character in any string or key, saying nothing more of that value', () => {
    expect(
      problemsOf([{ ...HOST, ip: '10.0.0.1\u0000', creds: { 'ot\u0000to': 'p\u0000w' } }]),
    ).toEqual([
      'host #1 (a): ip: holds a NUL character (\\u0000), which no string may hold',
      'host #1 (a): creds: the key "ot\\u0000to" holds a NUL character (\\u0000), which no key may hold',
      'host #1 (a): creds["ot\\u0000to"]: holds a NUL character (\\u0000), which no string may hold',
    ]);
  });

  it('escapes a NUL of the id that names a host', () => {
    expect(problemsOf([{ ...HOST, id: 'd\u0000b' }])).toEqual([
      'host #1 (d\\u0000b): id: holds a NUL character (\\u0000), which no string may hold',
    ]);
  });

  it('names both host numbers of a duplicate id, given or made of ne and board', () => {
    expect(
      problemsOf([
        { ...HOST, ne: 'carrot', board: 'seed' },
        { ...HOST, id: 'db' },
        { ...HOST, id: 'db' },
        { ...HOST, ne: 'Carrot', board: 'Seed' },
      ]),
    ).toEqual([
      'host #3 (db): id: the id "db" is already the id of host #2; ids must be unique',
      'host #4 (carrot_seed): the id "carrot_seed" (made of ne and board) is already the id of host #1; ids must be unique',
    ]);
  });

  it('names entries that are not hosts', () => {
    expect(problemsOf(['carrot', [HOST]])).toEqual([
      'host #1: expected an object, got "carrot"',
      'host #2: expected an object, got a list',
    ]);
  });
});

describe('parseLabText: the file as a whole', () => {
  it('names unknown top-level fields of the object form, and checks its hosts too', () => {
    expect(problemsOf({ name: 'x', hosts: [{ ...HOST, port: '1' }], host: [] })).toEqual([
      'unknown top-level field "host"; did you mean "hosts"?',
      'host #1 (a): port: expected a whole number from 1 to 65535, got "1"',
    ]);
    expect(problemsOf({ name: '', hostz: [] })).toEqual([
      'name: must not be empty',
      'hosts: is required',
      'unknown top-level field "hostz"; did you mean "hosts"?',
    ]);
  });

  it('refuses a top-level value that is neither form', () => {
    expect(problemsOf('"carrot"')).toEqual([
      'expected a top-level array of hosts, or an object { "name": ..., "hosts": [...] }, got "carrot"',
    ]);
  });

  it('accepts a leading BOM, whose columns do not count', () => {
    expect(parseLabText(`\uFEFF${JSON.stringify([HOST])}`, 'hosts.json').problems).toEqual([]);
    expect(problemsOf('\uFEFF[\n  {} // x\n]')).toEqual([
      'invalid JSON at line 2, column 6: a comment, and JSON has no comments',
    ]);
  });
});

describe('readLabFile', () => {
  it('refuses a FIFO without waiting for a writer, and a folder', async () => {
    const dir = await makeTempDir('otto-lab-');
    const fifo = join(dir, 'fifo.json');
    await promisify(execFile)('mkfifo', [fifo]);
    await mkdir(join(dir, 'folder.json'));
    expect(await readLabFile(fifo)).toEqual({
      hosts: [],
      problems: [{ file: fifo, message: 'cannot read it: not a regular file (a FIFO)' }],
    });
    expect((await readLabFile(join(dir, 'folder.json'))).problems[0]?.message).toBe(
      'cannot read it: not a regular file (a folder)',
    );
    expect((await readLabFile(join(dir, 'missing.json'))).problems[0]?.message).toBe(
      'cannot read it: no such file',
    );
  });

  it('names the byte offset and line of bytes that are not UTF-8', async () => {
    const dir = await makeTempDir('otto-lab-');
    const file = join(dir, 'hosts.json');
    const text = JSON.stringify([{ ...HOST, id: 'caf\u00e9' }], null, 2);
    const offset = Buffer.from(text).indexOf(Buffer.from('\u00e9'));
    const bytes = Buffer.from(text);
    bytes[offset] = 0xe9; // starts a 3-byte sequence that the closing quote cuts short
    const line = text.slice(0, text.indexOf('\u00e9')).split('\n').length;
    await writeFile(file, bytes);
    expect((await readLabFile(file)).problems).toEqual([
      {
        file,
        message: `is not UTF-8 text: byte 0xE9 at byte offset ${offset} (line ${line}) is not valid UTF-8; save the file as UTF-8`,
      },
    ]);
  });

  it('refuses UTF-16 text, and reads UTF-8 with a BOM', async () => {
    const dir = await makeTempDir('otto-lab-');
    const file = join(dir, 'hosts.json');
    const text = JSON.stringify([HOST]);
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect((await readLabFile(file)).problems[0]?.message).toBe(
      'is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8',
    );
    await writeFile(file, `\uFEFF${text}`);
    expect((await readLabFile(file)).hosts.map((host) => host.id)).toEqual(['a']);
  });
});
