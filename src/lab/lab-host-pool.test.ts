import { describe, expect, it } from 'vitest';
import type { Logger } from '../common/logger.js';
import { DryRunHost } from '../hosts/dry-run-host.js';
import { emptyLab, hostDefaultsOf, LabHostPool, withHostOverrides } from './lab-host-pool.js';
import { parseLabText } from './lab-file.js';
import type { Lab } from './lab.js';
import type { Repo } from './settings.js';

const LAB_FILE = '/labs/tech1/hosts.json';

/** The veggies lab: carrot and celery reached directly, pepper through carrot, tomato by telnet. */
function veggies(): Lab {
  const host = (ne: string, ip: string, extra: Record<string, unknown> = {}) => ({
    ip,
    ne,
    board: 'seed',
    creds: { vagrant: 'vagrant' },
    labs: ['veggies'],
    ...extra,
  });
  const content = parseLabText(
    JSON.stringify([
      host('carrot', '10.10.200.11', { resources: ['carrot'] }),
      host('tomato', '10.10.200.12', { term: 'telnet', transfer: 'nc' }),
      host('pepper', '10.10.200.13', { hop: 'carrot_seed', transfer: 'scp' }),
      host('celery', '10.10.200.14'),
    ]),
    LAB_FILE,
  );
  expect(content.problems).toEqual([]);
  return {
    names: ['veggies'],
    hosts: new Map(content.hosts.map((entry) => [entry.id, entry])),
    resources: new Set(['carrot']),
    warnings: [],
  };
}

/** A logger that keeps every line with its level. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function repoOf(ssh_options?: Record<string, unknown>): Repo {
  return {
    root: '/src/project',
    settingsPath: '/src/project/.otto/settings.toml',
    settings: {
      name: 'project',
      version: '1.0.0',
      labs: [],
      libs: [],
      tests: [],
      init: [],
      host_defaults: ssh_options === undefined ? {} : { ssh_options },
    },
  };
}

describe('withHostOverrides', () => {
  it('replaces the hop, term and transfer of one host only, in a copy of the lab', () => {
    const lab = veggies();
    const before = lab.hosts.get('pepper_seed')!;
    const changed = withHostOverrides(lab, 'pepper_seed', {
      hop: 'celery_seed',
      term: 'telnet',
      transfer: 'sftp',
    });
    expect(changed.hosts.get('pepper_seed')).toEqual({
      ...before,
      entry: { ...before.entry, hop: 'celery_seed', term: 'telnet', transfer: 'sftp' },
    });
    for (const id of ['carrot_seed', 'tomato_seed', 'celery_seed'])
      expect(changed.hosts.get(id)).toBe(lab.hosts.get(id));
    expect([...changed.hosts.keys()]).toEqual([...lab.hosts.keys()]);
    expect(changed.names).toEqual(['veggies']);
    expect(lab.hosts.get('pepper_seed')).toBe(before);
    expect(before.entry).toMatchObject({ hop: 'carrot_seed', transfer: 'scp' });
    expect(before.entry.term).toBeUndefined();
  });

  it('keeps what is not overridden', () => {
    const lab = veggies();
    const changed = withHostOverrides(lab, 'tomato_seed', { term: 'ssh' });
    expect(changed.hosts.get('tomato_seed')!.entry).toEqual({
      ...lab.hosts.get('tomato_seed')!.entry,
      term: 'ssh',
    });
    expect(changed.hosts.get('tomato_seed')!.entry.transfer).toBe('nc');
    expect(withHostOverrides(lab, 'carrot_seed', {}).hosts.get('carrot_seed')).toEqual(
      lab.hosts.get('carrot_seed'),
    );
  });

  it('refuses a hop that is not a host of the lab, naming the closest ids', () => {
    expect(() => withHostOverrides(veggies(), 'pepper_seed', { hop: 'carot_seed' })).toThrow(
      'No host "carot_seed" in lab veggies; did you mean "carrot_seed"?\nFix: otto --list-hosts lists the hosts of the lab.',
    );
  });

  it('refuses an unknown host, with no suggestion when none is close', () => {
    expect(() => withHostOverrides(veggies(), 'leek_seed', { term: 'ssh' })).toThrow(
      'No host "leek_seed" in lab veggies.\nFix: otto --list-hosts lists the hosts of the lab.',
    );
  });

  it('refuses a host as its own hop', () => {
    expect(() => withHostOverrides(veggies(), 'pepper_seed', { hop: 'pepper_seed' })).toThrow(
      'Host "pepper_seed" cannot be its own hop (--hop pepper_seed).',
    );
  });
});

describe('hostDefaultsOf', () => {
  it('merges the repos ssh_options, a later repo winning per key', () => {
    const first = repoOf({ port: 22, known_hosts: '/a' });
    const defaults = hostDefaultsOf([first, repoOf(), repoOf({ port: 2222, connect_timeout: 5 })]);
    expect(defaults).toEqual({
      ssh_options: { port: 2222, known_hosts: '/a', connect_timeout: 5 },
    });
    expect(first.settings.host_defaults.ssh_options).toEqual({ port: 22, known_hosts: '/a' });
  });

  it('gives empty ssh_options without repos', () => {
    expect(hostDefaultsOf([])).toEqual({ ssh_options: {} });
  });
});

describe('emptyLab', () => {
  it('has no names, hosts, resources or warnings', () => {
    expect(emptyLab()).toEqual({ names: [], hosts: new Map(), resources: new Set(), warnings: [] });
  });
});

describe('LabHostPool (dry run)', () => {
  it('hands out dry-run hosts of the right kind', () => {
    const pool = new LabHostPool(veggies(), { dryRun: true, logger: recordingLogger() });
    const carrot = pool.get('carrot_seed');
    const tomato = pool.get('tomato_seed');
    expect(carrot).toBeInstanceOf(DryRunHost);
    expect(tomato).toBeInstanceOf(DryRunHost);
    expect([carrot.id, carrot.kind]).toEqual(['carrot_seed', 'ssh']);
    expect([tomato.id, tomato.kind]).toEqual(['tomato_seed', 'telnet']);
  });

  it('gives the same host for the same id', () => {
    const pool = new LabHostPool(veggies(), { dryRun: true, logger: recordingLogger() });
    expect(pool.get('carrot_seed')).toBe(pool.get('carrot_seed'));
    expect(pool.get('carrot_seed')).not.toBe(pool.get('celery_seed'));
  });

  it('refuses an unknown id, naming the closest ones', () => {
    const pool = new LabHostPool(veggies(), { dryRun: true, logger: recordingLogger() });
    expect(() => pool.get('pepper')).toThrow(
      'No host "pepper" in lab veggies.\nFix: otto --list-hosts lists the hosts of the lab.',
    );
  });

  it('filters ids and hosts by a regular expression', () => {
    const pool = new LabHostPool(veggies(), { dryRun: true, logger: recordingLogger() });
    expect(pool.ids()).toEqual(['carrot_seed', 'tomato_seed', 'pepper_seed', 'celery_seed']);
    expect(pool.ids('^c')).toEqual(['carrot_seed', 'celery_seed']);
    expect(pool.ids(/^(tomato|pepper)_/)).toEqual(['tomato_seed', 'pepper_seed']);
    expect(pool.ids('^leek')).toEqual([]);
    const hosts = pool.all('^c');
    expect(hosts.map((host) => host.id)).toEqual(['carrot_seed', 'celery_seed']);
    expect(hosts[0]).toBe(pool.get('carrot_seed'));
    expect(pool.all().map((host) => host.id)).toEqual(pool.ids());
  });

  it('runs nothing: results are skipped and ok, and the logger says [DRY RUN]', async () => {
    const logger = recordingLogger();
    const pool = new LabHostPool(veggies(), { dryRun: true, logger });
    const carrot = pool.get('carrot_seed');
    const run = await carrot.run('echo hi');
    expect(run.ok).toBe(true);
    expect(run.results.map((result) => [result.command, result.status])).toEqual([
      ['echo hi', 'skipped'],
    ]);
    const list = await carrot.run(['make', { cmd: 'make install', okExitCodes: [0, 2] }]);
    expect(list.ok).toBe(true);
    expect(list.results.map((result) => [result.command, result.status])).toEqual([
      ['make', 'skipped'],
      ['make install', 'skipped'],
    ]);
    const oneshot = await carrot.oneshot(['uname', '-a']);
    expect([oneshot.command, oneshot.status, oneshot.output]).toEqual(['uname -a', 'skipped', '']);
    expect(logger.lines).toEqual([
      'info @carrot_seed | [DRY RUN] echo hi',
      'info @carrot_seed | [DRY RUN] make',
      'info @carrot_seed | [DRY RUN] make install',
      'info @carrot_seed | [DRY RUN] uname -a',
    ]);
  });

  it('logs transfers, sends and logins without doing them', async () => {
    const logger = recordingLogger();
    const pool = new LabHostPool(veggies(), { dryRun: true, logger });
    const pepper = pool.get('pepper_seed');
    expect(await pepper.put(['a.txt', 'b.txt'], '/tmp')).toEqual({ files: [], durationMs: 0 });
    expect(await pepper.get(['/var/log/syslog'], 'logs')).toEqual({ files: [], durationMs: 0 });
    await pepper.send('yes\n');
    expect(await pepper.expect(/done/)).toBe('');
    expect(logger.lines).toEqual([
      'info @pepper_seed [DRY RUN] put a.txt b.txt -> /tmp',
      'info @pepper_seed [DRY RUN] get /var/log/syslog -> logs',
      'info @pepper_seed [DRY RUN] send "yes\\n"',
    ]);
  });

  it('logs nothing for a host whose log is off', async () => {
    const logger = recordingLogger();
    const carrot = new LabHostPool(veggies(), { dryRun: true, logger }).get('carrot_seed');
    carrot.log = false;
    expect((await carrot.run('echo hi')).ok).toBe(true);
    expect(logger.lines).toEqual([]);
  });

  it('closes idempotently, then makes hosts afresh', async () => {
    const pool = new LabHostPool(veggies(), { dryRun: true, logger: recordingLogger() });
    const carrot = pool.get('carrot_seed');
    await pool.close();
    await pool.close();
    await pool[Symbol.asyncDispose]();
    expect(pool.get('carrot_seed')).not.toBe(carrot);
  });

  it('makes hosts of an overridden lab as overridden', async () => {
    const logger = recordingLogger();
    const lab = veggies();
    const pool = new LabHostPool(withHostOverrides(lab, 'tomato_seed', { term: 'ssh' }), {
      dryRun: true,
      logger,
    });
    const tomato = pool.get('tomato_seed');
    expect(tomato).toBeInstanceOf(DryRunHost);
    expect(tomato.kind).toBe('ssh');
    expect(new LabHostPool(lab, { dryRun: true, logger }).get('tomato_seed').kind).toBe('telnet');
    await tomato.run('ls');
    expect(logger.lines).toEqual(['info @tomato_seed | [DRY RUN] ls']);
  });

  it('names no lab for a host asked of an empty lab', () => {
    const pool = new LabHostPool(emptyLab(), { dryRun: true, logger: recordingLogger() });
    expect(pool.ids()).toEqual([]);
    expect(pool.all()).toEqual([]);
    expect(() => pool.get('carrot_seed')).toThrow(
      'No host "carrot_seed" in lab (none given).\nFix: otto --list-hosts lists the hosts of the lab.',
    );
  });
});
