import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCheck, formatWhoami } from '../cli/commands/reservation.js';
import { ConfigError, ReservationError } from '../errors.js';
import type { Lab } from './lab.js';
import {
  assertReserved,
  checkReservations,
  createReservationBackend,
  reservationUser,
  type ReservationBackend,
} from './reservations.js';
import { readRepo, type Repo } from './settings.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

const SKIP_FIX =
  'Fix: fix the reservation backend, or pass -R/--skip-reservation-check to run without the reservation gate.';

/** A real repo in a temporary folder: settings.toml plus the given files. */
async function repoWith(toml: string, files: Record<string, string> = {}): Promise<Repo> {
  const root = await makeTempDir('otto-reservations-');
  await mkdir(join(root, '.otto'));
  await writeFile(join(root, '.otto', 'settings.toml'), `name = "r"\nversion = "1.0.0"\n${toml}`);
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return readRepo(root);
}

function labOf(...resources: string[]): Lab {
  return { names: ['veggies'], hosts: new Map(), resources: new Set(resources), warnings: [] };
}

async function caught(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = (await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  )) as { code?: string; message: string };
  return { code: error.code, message: error.message };
}

const JSON_TOML = '[reservations]\nbackend = "json"\n[reservations.json]\npath = "res.json"\n';

function reservationsFile(reservations: unknown[]): string {
  return JSON.stringify({ version: 1, reservations });
}

describe('the none backend', () => {
  it('is used when no repo has [reservations], and lets every lab pass', async () => {
    const backend = await createReservationBackend([await repoWith('')]);
    const report = await checkReservations(backend, labOf('bench_b', 'bench_a'), 'alice');
    expect(report).toEqual({
      user: 'alice',
      backend: 'none',
      required: ['bench_a', 'bench_b'],
      missing: [],
    });
    expect(() => assertReserved(report)).not.toThrow();
  });

  it('is used when the first repo with [reservations] says backend = "none"', async () => {
    const repos = [
      await repoWith(''),
      await repoWith('[reservations]\n'),
      await repoWith(JSON_TOML),
    ];
    expect((await createReservationBackend(repos)).name).toBe('none');
  });
});

describe('the json backend', () => {
  const future = '2999-01-01T00:00:00Z';
  const past = '2001-01-01T00:00:00Z';

  it('adds up all unexpired entries of a user, and ignores expired ones', async () => {
    const repo = await repoWith(JSON_TOML, {
      'res.json': reservationsFile([
        { user: 'alice', resources: ['bench_a'] },
        { user: 'bob', resources: ['bench_c'] },
        { user: 'alice', resources: ['bench_b'], expires: future },
        { user: 'alice', resources: ['bench_d'], expires: past },
      ]),
    });
    const backend = await createReservationBackend([repo]);
    expect(backend.name).toBe(`json (${join(repo.root, 'res.json')})`);
    expect(await backend.reservedResources('alice')).toEqual(new Set(['bench_a', 'bench_b']));
    const report = await checkReservations(backend, labOf('bench_a', 'bench_b'), 'alice');
    expect(report.missing).toEqual([]);
    expect(formatCheck(report)).toBe(
      [
        'user:     alice',
        `backend:  json (${join(repo.root, 'res.json')})`,
        'required: bench_a, bench_b',
        'OK: alice holds all 2 resources',
        '',
      ].join('\n'),
    );
  });

  it('says the first unexpired entry holds a resource, and re-reads the file each time', async () => {
    const repo = await repoWith(JSON_TOML, {
      'res.json': reservationsFile([
        { user: 'alice', resources: ['bench_a'], expires: past },
        { user: 'carol', resources: ['bench_a'], expires: future },
        { user: 'dave', resources: ['bench_a'] },
      ]),
    });
    const backend = await createReservationBackend([repo]);
    expect(await backend.whoReserved('bench_a')).toBe('carol');
    expect(await backend.whoReserved('bench_z')).toBeUndefined();
    await writeFile(join(repo.root, 'res.json'), reservationsFile([]));
    expect(await backend.whoReserved('bench_a')).toBeUndefined();
  });

  it('reads the file a file: url names when [reservations.json] has no path', async () => {
    const other = await repoWith('', { 'shared.json': reservationsFile([]) });
    const url = `file://${join(other.root, 'shared.json')}`;
    const repo = await repoWith(`[reservations]\nbackend = "json"\nurl = "${url}"\n`);
    expect((await createReservationBackend([repo])).name).toBe(
      `json (${join(other.root, 'shared.json')})`,
    );
  });

  it('names each missing resource and its holder, without suggesting -R', async () => {
    const repo = await repoWith(JSON_TOML, {
      'res.json': reservationsFile([
        { user: 'alice', resources: ['bench_a'] },
        { user: 'bob', resources: ['bench_b'] },
      ]),
    });
    const backend = await createReservationBackend([repo]);
    const report = await checkReservations(
      backend,
      labOf('bench_c', 'bench_b', 'bench_a'),
      'alice',
    );
    expect(report.missing).toEqual([
      { resource: 'bench_b', holder: 'bob' },
      { resource: 'bench_c' },
    ]);
    let error: unknown;
    try {
      assertReserved(report);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ReservationError);
    expect(error).toMatchObject({
      code: 'RESERVATION_MISSING',
      message: [
        `The reservation gate refused user "alice": 2 resources the lab requires are not reserved by alice (backend json (${join(repo.root, 'res.json')})):`,
        '  bench_b: reserved by bob',
        '  bench_c: not reserved by anyone',
        'Fix: reserve them in your reservation system (otto only reads it), then run again.',
      ].join('\n'),
    });
    expect(formatCheck(report)).toBe(
      [
        'user:     alice',
        `backend:  json (${join(repo.root, 'res.json')})`,
        'required: bench_a, bench_b, bench_c',
        'MISSING: alice does not hold 2 of 3 resources',
        '  bench_b: reserved by bob',
        '  bench_c: not reserved by anyone',
        '',
      ].join('\n'),
    );
  });

  it('fails closed on malformed JSON, suggesting -R', async () => {
    const repo = await repoWith(JSON_TOML, { 'res.json': '{"version": 1,' });
    const file = join(repo.root, 'res.json');
    const backend = await createReservationBackend([repo]);
    expect(await caught(checkReservations(backend, labOf('bench_a'), 'alice'))).toEqual({
      code: 'RESERVATION_BACKEND',
      message: [
        `The reservation backend json (${file}) failed, so the check of user "alice" fails closed: The reservations file ${file} is not valid JSON at line 1, column 15: the file ends before the "{" at line 1, column 1 is closed`,
        SKIP_FIX,
      ].join('\n'),
    });
  });

  it('fails closed on a missing file, and names every field problem at once', async () => {
    const repo = await repoWith(JSON_TOML);
    const file = join(repo.root, 'res.json');
    const backend = await createReservationBackend([repo]);
    expect(await caught(checkReservations(backend, labOf(), 'alice'))).toEqual({
      code: 'RESERVATION_BACKEND',
      message: [
        `The reservation backend json (${file}) failed, so the check of user "alice" fails closed: The reservations file ${file}: cannot read it: no such file`,
        SKIP_FIX,
      ].join('\n'),
    });
    const bad = { version: 2, reservations: [{ resources: ['a', 3], expires: 'soon' }] };
    await writeFile(file, JSON.stringify(bad));
    expect(await caught(backend.reservedResources('alice'))).toEqual({
      code: 'RESERVATION_BACKEND',
      message: [
        `The reservations file ${file} has 4 problems:`,
        '  version: expected 1, got 2',
        '  reservations[0].user: is required',
        '  reservations[0].resources[1]: expected a string, got 3',
        '  reservations[0].expires: expected an ISO-8601 date-time, e.g. 2026-12-01T00:00:00Z',
      ].join('\n'),
    });
  });

  it('needs a file: [reservations.json] path or a file url', async () => {
    const repo = await repoWith('[reservations]\nbackend = "json"\nurl = "https://sched/api"\n');
    expect(await caught(createReservationBackend([repo]))).toEqual({
      code: 'RESERVATION_CONFIG',
      message: [
        `Invalid [reservations] in ${repo.settingsPath}: the json backend reads files only, not url "https://sched/api".`,
        'Fix: add [reservations.json] path = "reservations.json" (relative to the repo root), or set [reservations] url = "file:///path/reservations.json".',
      ].join('\n'),
    });
  });
});

const SCHEDULER_MJS = `
export class LabScheduler {
  constructor(options) {
    this.options = options;
    this.name = 'scheduler ' + options.pool + ' at ' + options.url;
  }
  async reservedResources(user) {
    return new Set(this.options.held[user] ?? []);
  }
  async whoReserved(resource) {
    if (resource === 'broken') throw new Error('scheduler unreachable: ECONNREFUSED');
    return Object.keys(this.options.held).find((user) => this.options.held[user].includes(resource)) ?? null;
  }
}
export function makeScheduler(options) {
  return { reservedResources: async () => [options.pool], whoReserved: async () => undefined };
}
export function makeNothing() {
  return { reservedResources() {} };
}
`;

describe('module backends', () => {
  const table =
    '[reservations.LabScheduler]\npool = "bench"\nheld = { alice = ["bench_a"], bob = ["bench_b", "broken"] }\n';

  async function moduleRepo(backend: string, extra = ''): Promise<Repo> {
    return repoWith(`[reservations]\nbackend = "${backend}"\nurl = "https://sched"\n${extra}`, {
      'scheduler.mjs': SCHEDULER_MJS,
    });
  }

  it('constructs the exported class with its table and url', async () => {
    const backend = await createReservationBackend([
      await moduleRepo('./scheduler.mjs:LabScheduler', table),
    ]);
    expect(backend.name).toBe('scheduler bench at https://sched');
    const report = await checkReservations(backend, labOf('bench_a', 'bench_b'), 'alice');
    expect(report).toEqual({
      user: 'alice',
      backend: 'scheduler bench at https://sched',
      required: ['bench_a', 'bench_b'],
      missing: [{ resource: 'bench_b', holder: 'bob' }],
    });
  });

  it('calls an exported factory, naming the backend after its spec', async () => {
    const backend = await createReservationBackend([
      await moduleRepo('scheduler:makeScheduler', '[reservations.makeScheduler]\npool = "p1"\n'),
    ]);
    expect(backend.name).toBe('module scheduler:makeScheduler');
    expect(await backend.reservedResources('anyone')).toEqual(new Set(['p1']));
  });

  it('fails closed when the backend throws, suggesting -R', async () => {
    const backend = await createReservationBackend([
      await moduleRepo('./scheduler.mjs:LabScheduler', table),
    ]);
    expect(await caught(checkReservations(backend, labOf('broken'), 'alice'))).toEqual({
      code: 'RESERVATION_BACKEND',
      message: [
        'The reservation backend scheduler bench at https://sched failed, so the check of user "alice" fails closed: scheduler unreachable: ECONNREFUSED',
        SKIP_FIX,
      ].join('\n'),
    });
  });

  it('fails closed when any backend rejects, even with no resource required', async () => {
    const backend: ReservationBackend = {
      name: 'flaky',
      reservedResources: () => Promise.reject(new Error('timed out after 5000 ms')),
      whoReserved: () => Promise.resolve(undefined),
    };
    expect(await caught(checkReservations(backend, labOf(), 'alice'))).toEqual({
      code: 'RESERVATION_BACKEND',
      message: [
        'The reservation backend flaky failed, so the check of user "alice" fails closed: timed out after 5000 ms',
        SKIP_FIX,
      ].join('\n'),
    });
  });

  it('refuses an export that is not a backend', async () => {
    const repo = await moduleRepo('./scheduler.mjs:makeNothing');
    expect(await caught(createReservationBackend([repo]))).toEqual({
      code: 'RESERVATION_CONFIG',
      message: [
        `Invalid [reservations] in ${repo.settingsPath}: backend "./scheduler.mjs:makeNothing" made an object without whoReserved().`,
        'Fix: export a class, or a function returning an object, with async reservedResources(user) and whoReserved(resource) methods.',
      ].join('\n'),
    });
  });

  it('names what a module exports when the export is not there', async () => {
    const repo = await moduleRepo('./scheduler.mjs:Scheduler');
    expect((await caught(createReservationBackend([repo]))).message.split('\n')[0]).toBe(
      `Invalid [reservations] in ${repo.settingsPath}: backend "./scheduler.mjs:Scheduler": the module exports no class or function Scheduler (it exports LabScheduler, makeNothing, makeScheduler).`,
    );
  });
});

describe('backend settings', () => {
  it('refuses an unknown backend string, naming the valid forms', async () => {
    const repo = await repoWith('[reservations]\nbackend = "jsno"\n');
    const error = await createReservationBackend([repo]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      code: 'RESERVATION_CONFIG',
      message: [
        `Invalid [reservations] in ${repo.settingsPath}: unknown backend "jsno" (did you mean "json"?).`,
        'Fix: set backend = "none", "json" or "<module path>:<ExportName>" (e.g. "./otto/scheduler.ts:LabScheduler").',
      ].join('\n'),
    });
  });
});

describe('reservationUser and whoami', () => {
  it('takes --as-user first, else the login name', () => {
    expect(reservationUser('bob')).toEqual({ user: 'bob', source: 'as-user' });
    expect(reservationUser()).toEqual({ user: userInfo().username, source: 'login' });
    expect(() => reservationUser(' ')).toThrow(
      'Cannot check reservations as user "": --as-user is empty.\nFix: pass --as-user NAME, or leave it out to check as your login name.',
    );
  });

  it('formats whoami', () => {
    expect(
      formatWhoami({ user: 'bob', source: 'as-user', backend: 'none', lab: ['veggies', 'fruit'] }),
    ).toBe('user:    bob\nsource:  --as-user\nbackend: none\nlab:     veggies, fruit\n');
    expect(formatWhoami({ user: 'al', source: 'login', backend: 'none', lab: [] })).toBe(
      'user:    al\nsource:  login name\nbackend: none\nlab:     (none)\n',
    );
  });
});
