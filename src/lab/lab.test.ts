import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLabText } from './lab-file.js';
import { labHostId, labJsonSchema } from './lab-schema.js';
import { loadLab } from './lab.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const COMPAT = fileURLToPath(new URL('../../test/fixtures/otto-compat/lab_data', import.meta.url));

async function labDir(content: unknown): Promise<string> {
  const dir = await makeTempDir('otto-lab-');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'hosts.json'),
    typeof content === 'string' ? content : JSON.stringify(content, null, 2),
  );
  return dir;
}

describe('loadLab on otto 0.3.6 lab files, unchanged', () => {
  it('loads the veggies lab with otto ids, hops and resources', async () => {
    const lab = await loadLab({ names: ['veggies'], dirs: [join(COMPAT, 'tech1')] });
    expect([...lab.hosts.keys()]).toEqual(['carrot_seed', 'tomato_seed', 'pepper_seed']);
    expect(lab.hosts.get('pepper_seed')?.entry).toMatchObject({
      hop: 'carrot_seed',
      docker_capable: true,
      term: 'ssh',
      transfer: 'scp',
    });
    expect(lab.hosts.get('tomato_seed')?.entry).toMatchObject({ term: 'telnet', transfer: 'nc' });
    expect([...lab.resources].sort()).toEqual(['carrot', 'pepper', 'tomato']);
    expect(lab.warnings).toEqual([]);
  });

  it('merges labs from several folders', async () => {
    const lab = await loadLab({
      names: ['veggies', 'fruits'],
      dirs: [join(COMPAT, 'tech1'), join(COMPAT, 'tech2')],
    });
    expect(lab.hosts.size).toBeGreaterThan(3);
    expect(lab.hosts.get('apple_seed')?.entry.hop).toBe('orange_seed');
  });
});

describe('lab host ids', () => {
  it.each([
    [{ ne: 'Carrot', board: 'Seed' }, 'carrot_seed'],
    [{ ne: 'ne', neId: 2, board: 'lc', slot: 3 }, 'ne2_lc3'],
    [{ ne: 'router' }, 'router'],
    [{ id: 'Explicit', ne: 'x', board: 'y' }, 'Explicit'],
  ])('%j is %s', (entry, id) => {
    expect(labHostId(entry)).toBe(id);
  });
});

describe('lab problems', () => {
  it('reports every problem of a file at once, with host and field', async () => {
    const dir = await labDir([
      { ip: '10.0.0.1', ne: 'a', board: 'b', creds: { u: 'p' }, labs: ['x'], term: 'sssh' },
      { ne: 'c', creds: { u: 'p' }, labs: ['x'], colour: 'blue' },
      { ip: '10.0.0.3', ne: 'd', creds: { u: 'p' }, user: 'root', labs: ['x'] },
    ]);
    const file = join(dir, 'hosts.json');
    await expect(loadLab({ names: ['x'], dirs: [dir] })).rejects.toThrow(
      [
        'The lab has 4 problems:',
        `  ${file}: host #1 (a_b): term: expected one of "ssh", "telnet", got "sssh"; did you mean "ssh"?`,
        `  ${file}: host #2 (c): ip: is required`,
        `  ${file}: host #2 (c): unknown field "colour"`,
        `  ${file}: host #3 (d): user: "root" is not a user of creds ("u")`,
      ].join('\n'),
    );
  });

  it('gives the line and column of a JSON syntax error', () => {
    const { problems } = parseLabText('[\n  { "ip": "1",\n  }\n]', 'lab.json');
    expect(problems).toEqual([
      {
        file: 'lab.json',
        message:
          'invalid JSON at line 3, column 3: unexpected "}" after ","; JSON allows no trailing comma',
      },
    ]);
  });

  it('says a single problem on its first line', async () => {
    const dir = await labDir([
      { ip: '10.0.0.1', ne: 'a', creds: { u: 'p' }, labs: ['x'], port: '22' },
    ]);
    await expect(loadLab({ names: ['x'], dirs: [dir] })).rejects.toMatchObject({
      code: 'LAB_INVALID',
      message: `The lab has 1 problem: ${join(dir, 'hosts.json')}: host #1 (a): port: expected a whole number from 1 to 65535, got "22"`,
    });
  });

  it('names an unknown lab and the labs that exist', async () => {
    await expect(
      loadLab({ names: ['veggys'], dirs: [join(COMPAT, 'tech1')] }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_LAB',
      message: `No lab named "veggys" in ${join(COMPAT, 'tech1')}; did you mean "veggies"? Labs found: veggies.\nFix: otto --list-labs lists the labs your repos know.`,
    });
  });

  it("lists hop problems with the files' other problems, and no hop to an invalid host", async () => {
    const dir = await labDir([
      { ip: '10.0.0.1', ne: 'a', creds: { u: 'p' }, labs: ['x'], hop: 'b' },
      { ip: '10.0.0.2', ne: 'b', creds: { u: 'p' }, labs: ['x'], port: 0 },
      { ip: '10.0.0.3', ne: 'c', creds: { u: 'p' }, labs: ['x'], hop: 'd' },
      { ip: '10.0.0.4', ne: 'd', creds: { u: 'p' }, labs: ['x'], term: 'telnet' },
      { ip: '10.0.0.5', ne: 'e', creds: { u: 'p' }, labs: ['x'], hop: 'f' },
    ]);
    const file = join(dir, 'hosts.json');
    await expect(loadLab({ names: ['x'], dirs: [dir] })).rejects.toMatchObject({
      code: 'LAB_INVALID',
      message: [
        'The lab has 3 problems:',
        `  ${file}: host #2 (b): port: expected a whole number from 1 to 65535, got 0`,
        `  ${file}: c: hop: "d" uses term "telnet"; a hop must be an SSH host`,
        `  ${file}: e: hop: no host "f" in the lab; did you mean "a" or "c" or "d" or "e"?`,
      ].join('\n'),
    });
  });

  it('finds unknown hops, with the closest ids, and hop cycles', async () => {
    const host = (ne: string, hop: string) => ({
      ip: '10.0.0.1',
      ne,
      creds: { u: 'p' },
      labs: ['x'],
      hop,
    });
    const dir = await labDir([host('a', 'b'), host('b', 'a'), host('c', 'bb')]);
    const file = join(dir, 'hosts.json');
    await expect(loadLab({ names: ['x'], dirs: [dir] })).rejects.toThrow(
      [
        'The lab has 3 problems:',
        `  ${file}: a: hop: hop cycle: a -> b -> a`,
        `  ${file}: b: hop: hop cycle: b -> a -> b`,
        `  ${file}: c: hop: no host "bb" in the lab; did you mean "a" or "b" or "c"?`,
      ].join('\n'),
    );
  });

  it('accepts the object form, whose hosts belong to its lab, and warns on a redefined id', async () => {
    const first = await labDir({
      name: 'lab1',
      hosts: [{ id: 'db', ip: '10.0.0.1', ne: 'db', creds: { u: 'p' }, key: '~/.ssh/id_ed25519' }],
    });
    const second = await labDir({
      name: 'lab1',
      hosts: [{ id: 'db', ip: '10.0.0.2', ne: 'db', creds: { u: 'p' } }],
    });
    const lab = await loadLab({ names: ['lab1'], dirs: [first, second] });
    expect(lab.hosts.get('db')?.entry.ip).toBe('10.0.0.2');
    expect(lab.warnings).toEqual([
      `host "db" is defined in ${join(first, 'hosts.json')} and again in ${join(second, 'hosts.json')}; the later one is used`,
    ]);
  });
});

describe('labJsonSchema', () => {
  it('describes both forms and every host field', () => {
    const schema = labJsonSchema() as {
      anyOf: unknown[];
      $defs: { host: { properties: Record<string, unknown>; required: string[] } };
    };
    expect(schema.anyOf).toHaveLength(2);
    expect(schema.$defs.host.required).toEqual(['ip', 'ne', 'creds']);
    expect(Object.keys(schema.$defs.host.properties)).toEqual(
      expect.arrayContaining(['hop', 'term', 'transfer', 'ssh_options', 'key', 'id']),
    );
  });

  it('gives the option tables strictly, with their keys', () => {
    const { properties } = (
      labJsonSchema() as { $defs: { host: { properties: Record<string, unknown> } } }
    ).$defs.host;
    expect(properties.ssh_options).toEqual({
      type: 'object',
      properties: {
        port: {
          type: 'integer',
          minimum: 1,
          maximum: 65535,
          description: "SSH port; the host's own `port` wins; default 22",
        },
        known_hosts: {
          type: 'string',
          minLength: 1,
          description:
            'OpenSSH known_hosts file (~/ is the home folder); default ~/.ssh/known_hosts',
        },
        connect_timeout: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 86400,
          description:
            'Give up connecting (TCP, handshake and login) after this many seconds; default 10',
        },
      },
      additionalProperties: false,
    });
    expect(properties.telnet_options).toMatchObject({
      type: 'object',
      properties: {
        login_prompt: {
          type: 'string',
          minLength: 1,
          description:
            'Regular expression of the login prompt, matched ignoring case at the end of the output; default "(login|username)\\s*:\\s*$"',
        },
        cols: {
          type: 'integer',
          minimum: 1,
          maximum: 9999,
          description: 'Terminal width sent to the server (NAWS); default 200',
        },
      },
      additionalProperties: false,
    });
    expect(properties.sftp_options).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
  });
});
