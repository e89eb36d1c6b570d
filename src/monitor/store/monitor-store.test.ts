import Database from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { ClosedError, MonitorError } from '../../errors.js';
import type { MonitorEvent, SeriesMeta } from '../metric-types.js';
import { MonitorStore } from './monitor-store.js';
import { describeCommand } from './writer-lock.js';

const T0 = 1_700_000_040_000; // a whole minute
const INFO = { intervalMs: 1000, title: 'lab1', startedAtMs: T0, version: '0.1.0' };

const opened: MonitorStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

async function openStore(path: string, mode: 'write' | 'read' = 'write') {
  const store = await MonitorStore.open(path, { mode });
  opened.push(store);
  return store;
}

async function newStorePath(): Promise<string> {
  return join(await makeTempDir('otto-store-'), 'run.db');
}

function seriesOf(host: string, keys: string[], chart = 'CPU'): SeriesMeta[] {
  return keys.map((key) => ({
    host,
    key,
    label: key.split('.').pop() ?? key,
    chart,
    unit: '%',
    tab: 'cpu',
    labels: { metric: key },
  }));
}

function errorOf(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

const MARK: MonitorEvent = {
  id: 'e1',
  kind: 'mark',
  timestampMs: T0 + 5000,
  label: 'deploy',
  source: 'user',
  color: '#e4572e',
  dash: 'solid',
};

describe('MonitorStore', () => {
  it('keeps info, series, hosts, samples, states and events, and reopens them read-only', async () => {
    const path = await newStorePath();
    const store = await openStore(path);
    store.setInfo(INFO);
    store.addHostState({ host: 'db1', timestampMs: T0, status: 'down', reason: 'refused' });
    store.addSeries([
      ...seriesOf('web1', ['cpu.busy', 'mem.used']),
      ...seriesOf('db1', ['cpu.busy']),
    ]);
    store.addSeries([{ ...seriesOf('web1', ['cpu.busy'], 'Processor')[0]!, label: 'Busy' }]);
    store.addSamples([
      { host: 'web1', timestampMs: T0, values: { 'cpu.busy': 1.5, 'mem.used': 40 } },
      { host: 'db1', timestampMs: T0, values: { 'cpu.busy': 7 } },
      {
        host: 'web1',
        timestampMs: T0 + 1000,
        values: { 'cpu.busy': 2.25 },
        details: { 'cpu.busy': { command: 'nginx', rssBytes: 1024 } },
      },
    ]);
    store.addHostState({ host: 'db1', timestampMs: T0 + 1000, status: 'down', reason: 'refused' });
    store.addHostState({ host: 'db1', timestampMs: T0 + 2000, status: 'up' });
    store.addHostState({ host: 'web1', timestampMs: T0 + 2000, status: 'up' });
    store.addEvent({ ...MARK, id: 'e2', kind: 'span', timestampMs: T0 + 9000, label: 'load' });
    store.addEvent(MARK);
    store.close();

    const replay = await openStore(path, 'read');
    expect(replay.info()).toEqual(INFO);
    expect(replay.hosts()).toEqual(['db1', 'web1']);
    expect(replay.series('web1')).toEqual([
      { ...seriesOf('web1', ['cpu.busy'], 'Processor')[0]!, label: 'Busy', id: 'web1/cpu.busy' },
      { ...seriesOf('web1', ['mem.used'])[0]!, id: 'web1/mem.used' },
    ]);
    expect(replay.series().map((series) => series.id)).toEqual([
      'web1/cpu.busy',
      'web1/mem.used',
      'db1/cpu.busy',
    ]);
    expect(replay.hostStates()).toEqual([
      { host: 'db1', timestampMs: T0 + 2000, status: 'up' },
      { host: 'web1', timestampMs: T0 + 2000, status: 'up' },
    ]);
    expect(replay.timeRange()).toEqual({ fromMs: T0, toMs: T0 + 1000 });
    expect(replay.timeRange('db1')).toEqual({ fromMs: T0, toMs: T0 });
    expect(replay.timeRange('nobody')).toBeUndefined();
    expect(replay.readData({ host: 'web1' })).toEqual({
      host: 'web1',
      fromMs: T0,
      toMs: T0 + 1000,
      timestamps: [T0, T0 + 1000],
      values: { 'web1/cpu.busy': [1.5, 2.25], 'web1/mem.used': [40, null] },
      details: { 'web1/cpu.busy': [null, { command: 'nginx', rssBytes: 1024 }] },
      bucketMs: 0,
    });
    expect(replay.events().map((event) => event.id)).toEqual(['e1', 'e2']);
    expect(replay.event('e2')).toEqual({
      ...MARK,
      id: 'e2',
      kind: 'span',
      timestampMs: T0 + 9000,
      label: 'load',
    });
  });

  it('edits and deletes events, refusing an unknown or a taken id', async () => {
    const store = await MonitorStore.openMemory();
    opened.push(store);
    store.addEvent(MARK);
    const ended: MonitorEvent = { ...MARK, kind: 'span', endTimestampMs: T0 + 8000, host: 'web1' };
    store.updateEvent(ended);
    expect(store.events()).toEqual([ended]);
    expect(errorOf(() => store.addEvent(MARK)).message).toBe(
      'Cannot add event "e1" to monitor database :memory:: an event with that id exists.\n' +
        'Fix: give the event a new id, or change the existing one with updateEvent.',
    );
    const unknown = errorOf(() => store.updateEvent({ ...MARK, id: 'nope' }));
    expect(unknown).toMatchObject({ code: 'MONITOR_UNKNOWN_EVENT' });
    expect(unknown.message).toBe(
      'Cannot update event "nope" in monitor database :memory:: it has no event with that id.',
    );
    expect(store.deleteEvent('e1')).toBe(true);
    expect(store.deleteEvent('e1')).toBe(false);
    expect(store.event('e1')).toBeUndefined();
  });

  it('refuses a batch naming an unknown series and writes nothing of it', async () => {
    const path = await newStorePath();
    const store = await openStore(path);
    store.addSeries(seriesOf('web1', ['cpu.busy']));
    const error = errorOf(() =>
      store.addSamples([
        { host: 'web1', timestampMs: T0, values: { 'cpu.busy': 1 } },
        { host: 'web1', timestampMs: T0 + 1000, values: { 'cpu.busy': 2, 'cpu.idle': 98 } },
      ]),
    );
    expect(error).toMatchObject({ code: 'MONITOR_UNKNOWN_SERIES' });
    expect(error.message).toBe(
      `Cannot add a sample of host "web1" at 2023-11-14T22:14:01.000Z to monitor database ${path}: it has no series "cpu.idle".\n` +
        'Fix: add the series with addSeries before samples that have values for it.',
    );
    expect(store.timeRange()).toBeUndefined();
  });

  it('leaves out non-finite values and a second sample at a stored time', async () => {
    const store = await MonitorStore.openMemory();
    opened.push(store);
    store.addSeries(seriesOf('web1', ['a', 'b']));
    store.addSamples([{ host: 'web1', timestampMs: T0, values: { a: Number.NaN, b: -0 } }]);
    store.addSamples([{ host: 'web1', timestampMs: T0, values: { a: 5, b: 5 } }]);
    const data = store.readData({ host: 'web1' });
    expect(data.values).toEqual({ 'web1/a': [null], 'web1/b': [0] });
    expect(Object.is(data.values['web1/b']?.[0], 0)).toBe(true);
  });

  it('starts a new layout when a host series set changes mid-run', async () => {
    const path = await newStorePath();
    const store = await openStore(path);
    store.addSeries(seriesOf('web1', ['a']));
    store.addSamples([{ host: 'web1', timestampMs: T0, values: { a: 1 } }]);
    store.addSeries(seriesOf('web1', ['b']));
    store.addSamples([
      { host: 'web1', timestampMs: T0 + 1000, values: { b: 20, a: 2 } },
      { host: 'web1', timestampMs: T0 + 2000, values: { a: 3 } },
    ]);
    expect(store.readData({ host: 'web1' }).values).toEqual({
      'web1/a': [1, 2, 3],
      'web1/b': [null, 20, null],
    });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT keys FROM layouts ORDER BY id').pluck().all()).toEqual([
      '["a"]',
      '["b","a"]',
    ]);
    db.close();
  });

  it('answers an unknown host or an empty range with no points', async () => {
    const store = await MonitorStore.openMemory();
    opened.push(store);
    store.addSeries(seriesOf('web1', ['a']));
    expect(store.readData({ host: 'nobody' })).toEqual({
      host: 'nobody',
      fromMs: 0,
      toMs: 0,
      timestamps: [],
      values: {},
      details: {},
      bucketMs: 0,
    });
    store.addSamples([{ host: 'web1', timestampMs: T0, values: { a: 1 } }]);
    expect(store.readData({ host: 'web1', fromMs: T0 + 1, toMs: T0 + 5 })).toEqual({
      host: 'web1',
      fromMs: T0 + 1,
      toMs: T0 + 5,
      timestamps: [],
      values: { 'web1/a': [] },
      details: {},
      bucketMs: 0,
    });
  });

  it('refuses a second writer in the same process, naming the holder, and frees the file on close', async () => {
    const path = await newStorePath();
    const first = await MonitorStore.open(path, { mode: 'write' });
    const db = new Database(path, { readonly: true });
    const sinceMs = db.prepare('SELECT since_ms FROM writer').pluck().get() as number;
    db.close();
    const error = await MonitorStore.open(path, { mode: 'write' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MonitorError);
    expect(error).toMatchObject({ code: 'MONITOR_DB_LOCKED' });
    expect((error as Error).message).toBe(
      `Cannot write to monitor database ${path}: process ${process.pid} (${describeCommand(process.argv)}) has been writing to it since ${new Date(sinceMs).toISOString()}.\n` +
        `Fix: open it read-only with --file ${path}, or stop that monitor.`,
    );
    const reader = await openStore(path, 'read');
    expect(reader.hosts()).toEqual([]);
    first.close();
    first.close();
    await openStore(path, 'write');
  });

  it('leaves a finished recording as one file, without -wal or -shm, that opens read-only', async () => {
    const path = await newStorePath();
    const writer = await MonitorStore.open(path, { mode: 'write' });
    writer.addSeries(seriesOf('web1', ['cpu.busy']));
    writer.addSamples([{ host: 'web1', timestampMs: T0, values: { 'cpu.busy': 12.5 } }]);
    expect(existsSync(`${path}-wal`)).toBe(true);
    writer.close();
    expect([existsSync(`${path}-wal`), existsSync(`${path}-shm`)]).toEqual([false, false]);
    const reader = await openStore(path, 'read');
    expect(reader.readData({ host: 'web1' }).values['web1/cpu.busy']).toEqual([12.5]);
  });

  it('refuses writes when read-only', async () => {
    const path = await newStorePath();
    (await openStore(path)).close();
    const reader = await openStore(path, 'read');
    const calls: Array<[string, () => unknown]> = [
      ['set the info', () => reader.setInfo(INFO)],
      ['add series', () => reader.addSeries([])],
      ['add samples', () => reader.addSamples([])],
      ['add a host state', () => reader.addHostState({ host: 'a', timestampMs: 0, status: 'up' })],
      ['add an event', () => reader.addEvent(MARK)],
      ['update an event', () => reader.updateEvent(MARK)],
      ['delete an event', () => reader.deleteEvent('e1')],
    ];
    for (const [call, run] of calls) {
      const error = errorOf(run);
      expect(error).toMatchObject({ code: 'MONITOR_READ_ONLY' });
      expect(error.message).toBe(
        `Cannot ${call} on monitor database ${path}: it is open read-only.\n` +
          "Fix: open it with mode 'write' (no other monitor may be writing to it).",
      );
    }
  });

  it('refuses files that are not monitor databases, naming the file and why', async () => {
    const dir = await makeTempDir('otto-store-');
    const fix = 'Fix: give the path of a database that `otto monitor --db` wrote.';
    const cases: Array<[string, (path: string) => void, 'write' | 'read', string]> = [
      [
        'notes.txt',
        (path) => writeFileSync(path, 'hello, this is text\n'.repeat(50)),
        'write',
        'it is not an SQLite database',
      ],
      ['empty.db', (path) => writeFileSync(path, ''), 'read', 'it is empty'],
      [
        'other.db',
        (path) => withDatabase(path, (db) => db.exec('CREATE TABLE b (x); CREATE TABLE a (y)')),
        'write',
        'it is an SQLite database of something else (its tables: a, b)',
      ],
    ];
    for (const [name, make, mode, why] of cases) {
      const path = join(dir, name);
      make(path);
      const error = await MonitorStore.open(path, { mode }).catch(
        (caught: unknown) => caught as Error,
      );
      expect(error).toMatchObject({ code: 'MONITOR_DB_INVALID' });
      expect((error as Error).message).toBe(
        `Cannot open ${path} as a monitor database: ${why}.\n${fix}`,
      );
    }
    const newer = join(dir, 'newer.db');
    (await MonitorStore.open(newer, { mode: 'write' })).close();
    withDatabase(newer, (db) => db.pragma('user_version = 2'));
    const error = await MonitorStore.open(newer, { mode: 'read' }).catch(
      (caught: unknown) => caught as Error,
    );
    expect((error as Error).message).toBe(
      `Cannot open ${newer} as a monitor database: its format version 2 is newer than this otto-ts reads (1).\n` +
        'Fix: open it with the otto-ts version that wrote it, or a newer one.',
    );
    const missing = await MonitorStore.open(join(dir, 'none.db'), { mode: 'read' }).catch(
      (caught: unknown) => caught as Error,
    );
    expect(missing).toMatchObject({ code: 'MONITOR_DB_MISSING' });
    expect((missing as Error).message).toBe(
      `Cannot open monitor database ${join(dir, 'none.db')}: there is no such file.\n${fix}`,
    );
  });

  it('refuses every call after close with a ClosedError', async () => {
    const store = await MonitorStore.openMemory();
    store.close();
    const calls: Array<[string, () => unknown]> = [
      ['read the info', () => store.info()],
      ['read series', () => store.series()],
      ['read hosts', () => store.hosts()],
      ['add samples', () => store.addSamples([])],
      ['read data', () => store.readData({ host: 'a' })],
      ['read events', () => store.events()],
      ['read host states', () => store.hostStates()],
      ['read the time range', () => store.timeRange()],
    ];
    for (const [call, run] of calls) {
      const error = errorOf(run);
      expect(error).toBeInstanceOf(ClosedError);
      expect(error.message).toBe(`Cannot ${call} on monitor database :memory:: it was closed.`);
    }
    await expect(store.exportJson(process.stdout)).rejects.toThrow(
      'Cannot export on monitor database :memory:: it was closed.',
    );
    store.close();
  });
});

function withDatabase(path: string, use: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    use(db);
  } finally {
    db.close();
  }
}
