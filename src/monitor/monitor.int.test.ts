import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { engine } from '../../test/helpers/engine.js';
import { startSshTestbed } from '../../test/helpers/ssh-testbed.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { waitUntil } from '../common/deadline.js';
import {
  getDefaultLogger,
  setDefaultLogger,
  SILENT_LOGGER,
  type Logger,
} from '../common/logger.js';
import { StartedContainer } from '../docker/containers/started-container.js';
import { MonitorError } from '../errors.js';
import { ContainerHost } from '../hosts/container-host.js';
import type { Host } from '../hosts/host.js';
import { LocalHost } from '../hosts/local-host.js';
import { SshHost } from '../hosts/ssh-host.js';
import type { StreamMessage } from './api-types.js';
import { addMonitorEvent, startMonitor, stopMonitor } from './current-monitor.js';
import { clearHostParsers, defineMetricParser, registerHostParsers } from './host-parsers.js';
import { Monitor, openReplay } from './monitor.js';

/**
 * The Monitor end to end: a run recorded into a database and replayed from it and from its JSON
 * export, events, the stream, stop during a host that hangs, and the process-wide API.
 */

const hosts: Host[] = [];
const containers: StartedContainer[] = [];

function localHost(id = 'local'): LocalHost {
  const host = new LocalHost({ id, log: false });
  hosts.push(host);
  return host;
}

afterEach(() => clearHostParsers());
afterAll(async () => {
  await stopMonitor();
  await Promise.all(hosts.map((host) => host.close()));
  await Promise.all(containers.map((container) => container.stop()));
});

/** A logger keeping what it is told. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return { lines, debug: () => {}, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

describe('a recorded run', () => {
  it('replays from its database and its JSON export exactly as it was live', async () => {
    const dir = await makeTempDir('otto-monitor-');
    const db = join(dir, 'run.db');
    registerHostParsers('local', [
      defineMetricParser({
        name: 'hover',
        command: 'echo 7',
        tab: 'app',
        chart: 'Hover',
        unit: 'jobs',
        parse: (output) => [
          {
            key: 'app.jobs',
            value: Number(output),
            label: 'jobs',
            detail: { queue: 'main', n: 7 },
          },
        ],
      }),
    ]);
    const monitor = await Monitor.start({
      hosts: [localHost()],
      intervalMs: 500,
      db,
      title: 'recorded',
      processes: 3,
      logger: SILENT_LOGGER,
    });
    const messages: StreamMessage[] = [];
    monitor.subscribe((message) => messages.push(message));
    for (let tick = 0; tick < 4; tick++) await monitor.nextTick();
    monitor.addEvent({ label: 'deploy' });
    const span = monitor.addEvent({ label: 'load', kind: 'span', color: '#1f77b4', dash: 'dash' });
    monitor.endEvent(span.id);

    // Readers are never refused while the writer records; a second writer is.
    await using reader = await openReplay(db);
    expect(reader.meta().hosts).toEqual(['local']);
    await expect(
      Monitor.start({ hosts: [localHost('other')], db, logger: SILENT_LOGGER }),
    ).rejects.toMatchObject({ code: 'MONITOR_DB_LOCKED' });

    // Read live and export in one turn of the event loop: no tick lands between them.
    const live = {
      meta: monitor.meta(),
      data: monitor.data({ host: 'local' }),
      events: monitor.events(),
    };
    const json = join(dir, 'run.json');
    const out = createWriteStream(json);
    await monitor.exportJson(out);
    out.end();
    await finished(out);
    await monitor.stop();

    expect(live.data.details?.['local/app.jobs']?.[0]).toEqual({ queue: 'main', n: 7 });
    expect(live.meta.series.find((series) => series.key === 'app.jobs')).toMatchObject({
      tab: 'app',
      chart: 'Hover',
      unit: 'jobs',
      label: 'jobs',
    });
    expect(messages.filter((message) => message.type === 'sample').length).toBeGreaterThanOrEqual(
      4,
    );

    await using fromDb = await openReplay(db);
    const replayed = fromDb.data({ host: 'local' });
    // The run went on after the read: the replay holds as much or more, the same up to then.
    expect(replayed.timestamps.slice(0, live.data.timestamps.length)).toEqual(live.data.timestamps);
    const upToLive = fromDb.data({ host: 'local', toMs: live.data.toMs });
    expect(upToLive).toEqual(live.data);
    expect(fromDb.meta()).toMatchObject({
      mode: 'replay',
      title: 'recorded',
      intervalMs: 500,
      hosts: ['local'],
      series: live.meta.series,
      states: live.meta.states,
    });
    expect(fromDb.events()).toEqual(live.events);

    await using fromJson = await openReplay(json);
    expect(fromJson.data({ host: 'local' })).toEqual(live.data);
    expect(fromJson.meta()).toEqual({ ...live.meta, mode: 'replay' });
    expect(fromJson.events()).toEqual(live.events);
  });

  it('refuses changes to the events of a recorded database, and names an unknown one', async () => {
    const dir = await makeTempDir('otto-monitor-');
    const db = join(dir, 'run.db');
    const monitor = await Monitor.start({
      hosts: [localHost()],
      intervalMs: 500,
      db,
      logger: SILENT_LOGGER,
    });
    await monitor.nextTick();
    const mark = monitor.addEvent({ label: 'deploy' });
    expect(() => monitor.endEvent(mark.id)).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        `Cannot end the monitor event "deploy" (${mark.id}): it is a mark, not a span.`,
        {
          fix: 'only spans (kind "span") have an end.',
        },
      ),
    );
    expect(() => monitor.deleteEvent('nope')).toThrow(
      new MonitorError('MONITOR_UNKNOWN_EVENT', 'No monitor event has the id "nope".', {
        fix: 'list the events (GET /api/events, or events()) for their ids.',
      }),
    );
    await monitor.stop();
    await using replay = await openReplay(db);
    const readOnly = new MonitorError(
      'MONITOR_READ_ONLY',
      'Cannot add an event: the replay of run.db is read-only.',
      {
        fix: 'record with --db (or the db option) to annotate a run as it goes; a .json replay takes events too.',
      },
    );
    expect(() => replay.addEvent({ label: 'late' })).toThrow(readOnly);
    expect(() => replay.deleteEvent(mark.id)).toThrow(
      'Cannot delete an event: the replay of run.db is read-only.',
    );
    expect(replay.events()).toEqual([mark]);
  });

  it("gives the store's error for a replay of a file that does not exist", async () => {
    const dir = await makeTempDir('otto-monitor-');
    await expect(openReplay(join(dir, 'none.db'))).rejects.toThrow(
      new MonitorError(
        'MONITOR_DB_MISSING',
        `Cannot open monitor database ${join(dir, 'none.db')}: there is no such file.`,
        {
          fix: 'give the path of a database that `otto monitor --db` wrote.',
        },
      ),
    );
    await expect(openReplay(join(dir, 'none.json'))).rejects.toThrow(
      new MonitorError(
        'MONITOR_DB_MISSING',
        `Cannot open monitor archive ${join(dir, 'none.json')}: there is no such file.`,
        {
          fix: 'give the path of an archive that the dashboard or exportJson wrote.',
        },
      ),
    );
  });
});

describe('a live monitor', () => {
  it('streams events, drops a subscriber that throws, and refuses calls once stopped', async () => {
    const logger = recordingLogger();
    const monitor = await Monitor.start({ hosts: [localHost()], intervalMs: 500, logger });
    const seen: string[] = [];
    monitor.subscribe(() => {
      throw new Error('broken listener');
    });
    monitor.subscribe((message) => seen.push(message.type));
    await monitor.nextTick();
    const span = monitor.addEvent({ label: 'load', kind: 'span' });
    monitor.updateEvent(span.id, { label: 'heavy load' });
    expect(monitor.endEvent(span.id)).toMatchObject({ label: 'heavy load', kind: 'span' });
    monitor.deleteEvent(span.id);
    expect(seen).toEqual(
      expect.arrayContaining([
        'series',
        'sample',
        'host-state',
        'event',
        'event-updated',
        'event-deleted',
      ]),
    );
    expect(logger.lines.filter((line) => line.includes('subscriber'))).toEqual([
      'warn: Monitor: a stream subscriber threw on a "series" message and was dropped: broken listener',
    ]);
    const ticks = monitor.ticks;
    await monitor.stop();
    await monitor.stop();
    expect(monitor.ticks).toBe(ticks);
    expect(() => monitor.meta()).toThrow(
      new MonitorError('MONITOR_STOPPED', 'Cannot read the monitor: the monitor has stopped.'),
    );
    await expect(monitor.nextTick()).rejects.toThrow(
      new MonitorError('MONITOR_STOPPED', 'Cannot wait for a tick: the monitor has stopped.'),
    );
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const monitor = await Monitor.start({
      hosts: [localHost()],
      intervalMs: 500,
      logger: SILENT_LOGGER,
      signal: controller.signal,
    });
    await monitor.nextTick();
    const waiting = monitor.nextTick();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'MONITOR_STOPPED' });
    expect(monitor.stopped).toBe(true);
  });
});

describe('stopping during a host that hangs', () => {
  async function expectQuickStop(host: Host, list: () => Promise<string>): Promise<void> {
    registerHostParsers(host.id, [
      defineMetricParser({ name: 'hang', command: 'sleep 29.123', parse: () => [] }),
    ]);
    const monitor = await Monitor.start({ hosts: [host], intervalMs: 5000, logger: SILENT_LOGGER });
    await waitUntil(async () => ((await list()).includes('sleep 29.123') ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 50,
      what: `the hung parser to run on ${host.id}`,
    });
    const startMs = performance.now();
    await monitor.stop();
    expect(performance.now() - startMs).toBeLessThan(2500);
    expect(await list()).not.toContain('sleep 29.123');
  }

  it('returns within 2 s and leaves no process on a container', async () => {
    const container = await StartedContainer.start(engine, {
      image: inject('images').busybox,
      cmd: ['sleep', '3600'],
      entrypoint: [],
      purpose: 'monitor-test',
    });
    containers.push(container);
    const host = new ContainerHost(container.id, { id: 'c-hung', log: false });
    hosts.push(host);
    await expectQuickStop(host, async () => (await host.oneshot('ps -o args')).stdout);
  });

  it('returns within 2 s and leaves no process on an SSH host', async () => {
    await using testbed = await startSshTestbed(['direct']);
    const server = testbed.server('direct');
    const host = new SshHost(
      {
        host: server.host,
        port: server.port,
        username: 'otto',
        password: 'otto',
        knownHostsPath: testbed.newKnownHostsPath(),
      },
      { id: 's-hung', log: false },
    );
    hosts.push(host);
    await expectQuickStop(host, async () => (await host.oneshot('ps -eo args')).stdout);
  });

  it('returns within 2 s and leaves no process on this machine', async () => {
    const observer = localHost('observer');
    await expectQuickStop(
      localHost('l-hung'),
      async () => (await observer.oneshot('ps -eo args')).stdout,
    );
  });
});

describe("the process's monitor", () => {
  afterEach(() => {
    delete process.env.OTTO_MONITOR_URL;
  });

  it('is one at a time, and takes events while it runs', async () => {
    expect(await addMonitorEvent('nobody watches')).toBeUndefined();
    const monitor = await startMonitor({
      hosts: [localHost()],
      intervalMs: 500,
      logger: SILENT_LOGGER,
    });
    await expect(
      startMonitor({ hosts: [localHost('second')], logger: SILENT_LOGGER }),
    ).rejects.toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        `Cannot start a monitor: this process's monitor already runs (in memory, ${monitor.ticks} ticks so far).`,
        { fix: 'stop it first (stopMonitor()), or mark events on it (addMonitorEvent).' },
      ),
    );
    const event = await addMonitorEvent('test passed', { color: 'green', host: 'local' });
    expect(monitor.events()).toEqual([event]);
    await stopMonitor();
    await stopMonitor();
    expect(monitor.stopped).toBe(true);
    expect(await addMonitorEvent('after')).toBeUndefined();
  });

  it("posts events to the run's monitor named by OTTO_MONITOR_URL, and says once when it is gone", async () => {
    const monitor = await Monitor.start({
      hosts: [localHost()],
      intervalMs: 500,
      serve: {},
      logger: SILENT_LOGGER,
    });
    process.env.OTTO_MONITOR_URL = monitor.url;
    const event = await addMonitorEvent('worker test', { kind: 'span', source: 'auto' });
    expect(event).toMatchObject({ label: 'worker test', kind: 'span', source: 'auto' });
    expect(monitor.events()).toEqual([event]);
    await expect(addMonitorEvent('   ')).rejects.toMatchObject({ code: 'MONITOR_OPTIONS' });
    await monitor.stop();
    const logger = recordingLogger();
    const previous = getDefaultLogger();
    setDefaultLogger(logger);
    try {
      expect(await addMonitorEvent('too late')).toBeUndefined();
      expect(await addMonitorEvent('later still')).toBeUndefined();
    } finally {
      setDefaultLogger(previous);
    }
    const origin = new URL(monitor.url!).origin;
    expect(logger.lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^warn: Monitor: no monitor answers at ${origin} \\(OTTO_MONITOR_URL\\): .+; events are not marked\\.$`,
        ),
      ) as string,
    ]);
  });
});
