import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/deadline.js';
import type { DataResponse, MetaResponse } from '../../src/monitor/api-types.js';
import {
  descendantsOf,
  getJson,
  readDb,
  shown,
  useMonitorTestRepo,
  WRONG_PASSWORD,
} from './cli-monitor-repo.js';

/**
 * `otto monitor` end to end: the built CLI on a temporary repo whose lab is the SSH test bed's
 * `direct` server (`box`). Live recording, the dashboard's API while it runs, Ctrl-C and SIGTERM,
 * a second writer, the access token, the usage errors, and replay and export both ways.
 */

const setup = useMonitorTestRepo();
const otto = (args: string[], timeoutMs?: number, labs?: string) =>
  setup.otto(args, timeoutMs, labs);

describe('otto monitor, live', () => {
  it('records ticks of a lab host for --duration, then says where the recording is', async () => {
    const db = join(setup.repo.base, 'run.db');
    const result = await otto([
      'monitor',
      'box',
      '--interval',
      '0.5',
      '--duration',
      '2',
      '--db',
      db,
    ]);
    expect(result.exitCode, shown(result)).toBe(0);
    expect(result.stdout).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/\n$/);
    // Only otto's own lines: the ticks' commands are not echoed.
    const escaped = db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(result.stderr).toMatch(
      new RegExp(
        [
          '^monitor: polling box every 500ms for 2\\.0s',
          `monitor: recording into ${escaped}`,
          'monitor: stopping \\(--duration\\); storing what is pending',
          'monitor: \\d+ ticks, \\d+ samples from 1 host in \\S+',
          `recorded: ${escaped} \\(open it with: otto monitor --file ${escaped}\\)`,
          'output: \\S+\n$',
        ].join('\n'),
      ),
    );
    const [, ticks, samples] = /monitor: (\d+) ticks, (\d+) samples/
      .exec(result.stderr)!
      .map(Number);
    // A tick the first SSH login outlasted found box down: it has no sample.
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(samples).toBeGreaterThanOrEqual(2);
    expect(samples).toBeLessThanOrEqual(ticks!);
    const recorded = await readDb(db);
    expect(recorded.hosts).toEqual(['box']);
    expect(recorded.info).toMatchObject({ intervalMs: 500, title: 'main' });
    const keys = recorded.series.map((series) => series.key);
    expect(keys).toEqual(expect.arrayContaining(['cpu.busy', 'mem.used', 'load.1m']));
    // The first tick is a baseline for the rates: every later one gives a CPU value.
    const cpu = recorded.data[0]!.values['box/cpu.busy']!.filter((value) => value !== null);
    expect(recorded.data[0]!.timestamps).toHaveLength(samples!);
    expect(cpu).toHaveLength(samples! - 1);
  });

  it('shows a host whose password is wrong as down, naming the user, and never shows the password', async () => {
    const db = join(setup.repo.base, 'badpass.db');
    const result = await otto(
      ['monitor', 'box,badpass', '--interval', '1', '--duration', '6', '--db', db],
      60_000,
      'main,wrong',
    );
    expect(result.exitCode, shown(result)).toBe(0);
    expect(result.stderr).toMatch(/monitor: polling box, badpass every 1\.0s for 6\.0s/);
    // The first tick may give up while the login goes on (its wait through PAM varies); the
    // login ends on its own and a later tick tells why.
    expect(result.stderr).toContain(
      'warning: Monitor: host "badpass" [ssh] is down: Authentication failed for host "badpass" (otto@127.0.0.1:',
    );
    expect(result.stderr).toMatch(/\[ssh\]: the server refused password\.\n/);
    const downs = result.stderr.match(/^.*is down: .*$/gm) ?? [];
    expect(downs.length).toBeLessThanOrEqual(2);
    expect(downs.at(-1)).toMatch(/Authentication failed/);
    if (downs.length === 2) expect(downs[0]).toMatch(/is down: no answer within 800ms\.$/);
    const outputDir = /^output: (\S+)$/m.exec(result.stderr)![1]!;
    const log = await readFile(join(outputDir, 'otto.log'), 'utf8');
    for (const text of [result.stdout, result.stderr, log])
      expect(text).not.toContain(WRONG_PASSWORD);
    const recorded = await readDb(db);
    // box kept its ticks; badpass has no sample at all.
    expect(recorded.hosts).toContain('box');
    expect(recorded.data.find((data) => data.host === 'box')!.timestamps.length).toBeGreaterThan(1);
    expect(recorded.data.find((data) => data.host === 'badpass')?.timestamps ?? []).toEqual([]);
  });

  it('serves the dashboard while it runs, refuses a second writer, and ends cleanly on Ctrl-C', async () => {
    const db = join(setup.repo.base, 'live.db');
    const first = setup.spawn(['-l', 'main', 'monitor', 'box', '-i', '0.5', '--db', db]);
    try {
      const url = await first.dashboard();
      const meta = await getJson<MetaResponse>(new URL('/api/meta', url).href);
      expect(meta).toMatchObject({ mode: 'live', intervalMs: 500, hosts: ['box'], title: 'main' });
      await waitUntil(
        async () => {
          const data = await getJson<DataResponse>(new URL('/api/data?host=box', url).href);
          return data.timestamps.length >= 2 || undefined;
        },
        { timeoutMs: 15_000, what: 'two ticks of box in /api/data' },
      );
      const second = await otto(['monitor', 'box', '--db', db, '--duration', '1']);
      expect(second.exitCode, shown(second)).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(
          `^otto: Cannot write to monitor database ${db}: process ${first.child.pid} \\(node main\\.js -l main monitor box -i 0\\.5 --db ${db}\\) has been writing to it since \\S+Z\\.\\nFix: open it read-only with --file ${db}, or stop that monitor\\.\\noutput: \\S+\\n$`,
        ),
      );
      const started = await descendantsOf(first.child.pid!);
      first.child.kill('SIGINT');
      expect(await first.exited, first.stderr).toBe(0);
      expect(first.stderr).toContain(
        'otto: interrupted; stopping (Ctrl-C again to quit at once)\n',
      );
      expect(first.stderr).toContain('\nmonitor: stopping (Ctrl-C); storing what is pending\n');
      expect(first.stderr).toContain(
        `\nrecorded: ${db} (open it with: otto monitor --file ${db})\n`,
      );
      expect(started.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
      await expect(fetch(url)).rejects.toThrow('fetch failed');
      // Its SSH connection to box went with it (sshd ends the session as the socket closes).
      await waitUntil(
        async () =>
          (await setup.processesOnBox()).some((line) => line.startsWith('sshd: otto'))
            ? undefined
            : true,
        { timeoutMs: 10_000, what: "box's sshd to end otto's session" },
      );
    } finally {
      first.kill();
    }
    // The lock went with the writer: the file opens for writing again.
    const again = await otto(['monitor', 'box', '--db', db, '--duration', '1']);
    expect(again.exitCode, shown(again)).toBe(0);
  });

  it('stops on SIGTERM as on Ctrl-C', async () => {
    const running = setup.spawn(['-l', 'main', 'monitor', 'box', '-i', '0.5']);
    try {
      await running.dashboard();
      running.child.kill('SIGTERM');
      expect(await running.exited, running.stderr).toBe(0);
      expect(running.stderr).toContain(
        'warning: monitor: nothing is recorded (the samples stay in memory until otto monitor ends); --db PATH records them\n',
      );
      expect(running.stderr).toContain('\nmonitor: stopping (SIGTERM); storing what is pending\n');
      expect(running.stderr).not.toContain('recorded:');
    } finally {
      running.kill();
    }
  });
  it('bound beyond loopback, needs the token its URL carries; --export writes the archive at the end', async () => {
    const archive = join(setup.repo.base, 'live.json');
    const running = setup.spawn([
      '-l',
      'main',
      'monitor',
      'box',
      '-i',
      '0.5',
      '--bind',
      '0.0.0.0',
      '--export',
      archive,
    ]);
    try {
      const url = new URL(await running.dashboard());
      const token = url.searchParams.get('token');
      expect(token).toMatch(/^[\w-]{16,}$/);
      const meta = new URL('/api/meta', url);
      expect((await fetch(meta)).status).toBe(401);
      meta.searchParams.set('token', token!);
      expect((await fetch(meta)).status).toBe(200);
      running.child.kill('SIGINT');
      expect(await running.exited, running.stderr).toBe(0);
      // Without --db, the export is made from a recording in the output directory.
      const dir = /^output: (.+)$/m.exec(running.stderr)![1]!;
      const db = join(dir, 'monitor.db');
      expect(running.stderr).toContain(
        `\nrecorded: ${db} (open it with: otto monitor --file ${db})\n`,
      );
      expect(running.stderr).toContain(
        `\nexported: ${archive} (open it with: otto monitor --file ${archive})\n`,
      );
      // The token is on stdout alone: not in otto.log.
      expect(await readFile(join(dir, 'otto.log'), 'utf8')).not.toContain(token!);
      const again = join(setup.repo.base, 'live-again.db');
      expect((await otto(['monitor', '--file', archive, '--export', again])).exitCode).toBe(0);
      expect(await readDb(again)).toEqual(await readDb(db));
    } finally {
      running.kill();
    }
  });
});

describe('otto monitor, mistakes', () => {
  it('refuses an unknown host id, naming the closest and the known ones', async () => {
    const result = await otto(['monitor', 'bx']);
    expect(result.exitCode, shown(result)).toBe(2);
    expect(result.stderr).toMatch(
      /^otto: No host "bx" in lab main; did you mean "box"\? Hosts: box\.\nFix: otto --list-hosts lists the hosts of the lab; HOSTS is a comma-separated list of ids\.\noutput: \S+\n$/,
    );
  });

  it('refuses an interval below the minimum and a bad regular expression, before anything starts', async () => {
    const fix = '\nFix: otto monitor --help describes its arguments and options.\n';
    expect(await otto(['monitor', 'box', '--interval', '0.1'])).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr: `otto: Invalid options of otto monitor: --interval 0.1 is below the minimum of 0.5 seconds.${fix}`,
    });
    expect(await otto(['monitor', '--hosts', 'b[ox'])).toMatchObject({
      exitCode: 2,
      stderr: `otto: Invalid options of otto monitor: --hosts "b[ox" is not a regular expression (Invalid regular expression: /b[ox/: Unterminated character class).${fix}`,
    });
  });

  it('refuses --file of a missing file and of a text file', async () => {
    const missing = join(setup.repo.base, 'missing.db');
    expect(await otto(['monitor', '--file', missing])).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: `otto: Cannot open monitor database ${missing}: there is no such file.\nFix: give the path of a database that \`otto monitor --db\` wrote.\n`,
    });
    const text = join(setup.repo.base, 'notes.db');
    await writeFile(text, 'not a database\n'.repeat(100));
    expect(await otto(['monitor', '--file', text])).toMatchObject({
      exitCode: 1,
      stderr: `otto: Cannot open ${text} as a monitor database: it is not an SQLite database.\nFix: give the path of a database that \`otto monitor --db\` wrote.\n`,
    });
  });
});

describe('otto monitor --file', () => {
  it('replays a recording with the same series, and converts it to JSON and back losslessly', async () => {
    const db = join(setup.repo.base, 'source.db');
    const recorded = await otto(['monitor', 'box', '-i', '0.5', '-d', '1.5', '--db', db]);
    expect(recorded.exitCode, shown(recorded)).toBe(0);
    const json = join(setup.repo.base, 'source.json');
    const again = join(setup.repo.base, 'again.db');
    const toJson = await otto(['monitor', '--file', db, '--export', json]);
    expect(toJson).toMatchObject({
      exitCode: 0,
      stdout: '',
      stderr: `exported: ${json} (open it with: otto monitor --file ${json})\n`,
    });
    const toDb = await otto(['monitor', '--file', json, '--export', again]);
    expect(toDb.exitCode, shown(toDb)).toBe(0);
    expect(await readDb(again)).toEqual(await readDb(db));
    // An existing database is never overwritten.
    const refused = await otto(['monitor', '--file', json, '--export', again]);
    expect(refused).toMatchObject({
      exitCode: 1,
      stderr: `otto: Cannot export to ${again}: the file exists already, and a database is never overwritten.\nFix: give --export a new path, or remove that file first.\n`,
    });
    // Served, the replay shows what was live.
    const replay = setup.spawn(['monitor', '--file', again]);
    try {
      const url = await replay.dashboard();
      const meta = await getJson<MetaResponse>(new URL('/api/meta', url).href);
      const source = await readDb(db);
      expect(meta).toMatchObject({ mode: 'replay', hosts: ['box'], series: source.series });
      replay.child.kill('SIGINT');
      expect(await replay.exited, replay.stderr).toBe(0);
      expect(replay.stderr).toMatch(
        new RegExp(
          `^replay: ${again}: 1 hosts, \\d+ series, 0 events from \\S+ to \\S+; Ctrl-C ends it\\n`,
        ),
      );
    } finally {
      replay.kill();
    }
  });
});
