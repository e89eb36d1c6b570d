import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import type { Sample, SeriesMeta } from '../metric-types.js';
import { MonitorStore } from './monitor-store.js';

const T0 = 1_700_000_040_000;

const opened: MonitorStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

async function memoryStore(): Promise<MonitorStore> {
  const store = await MonitorStore.openMemory();
  opened.push(store);
  return store;
}

function series(host: string, key: string, extra: Partial<SeriesMeta> = {}): SeriesMeta {
  return { host, key, label: key, chart: 'Net', unit: 'B/s', tab: 'network', labels: {}, ...extra };
}

/** A store with something of everything, values that are hard to keep exact among them. */
function fillStore(store: MonitorStore): void {
  store.setInfo({ intervalMs: 1000, title: 'lab « one »', startedAtMs: T0, version: '0.1.0' });
  store.addHostState({
    host: 'db1',
    timestampMs: T0,
    status: 'down',
    reason: 'connect: refused "x"',
  });
  store.addSeries([
    series('web1', 'net.eth0.rx', { labels: { interface: 'eth0' }, label: 'eth0 rx' }),
    series('db1', 'cpu.busy', { chart: 'CPU', unit: '%', tab: 'cpu' }),
    series('web1', 'proc.1', { chart: 'Processes', tab: 'cpu', label: 'ünïcode ✓' }),
  ]);
  const hard = [0.1 + 0.2, 1e-300, 5e-324, Number.MAX_VALUE, -123.456e78, 1 / 3, 2 ** 53 + 2];
  const samples: Sample[] = [];
  for (let index = 0; index < 1500; index++) {
    const values: Record<string, number> = {
      'net.eth0.rx': hard[index % hard.length]! * (index + 1),
    };
    if (index % 5 !== 0) values['proc.1'] = index / 7;
    samples.push({
      host: 'web1',
      timestampMs: T0 + index * 1000,
      values,
      ...(index % 400 === 0
        ? { details: { 'proc.1': { command: `worker ${index}`, rssBytes: index } } }
        : {}),
    });
    if (index % 2 === 0)
      samples.push({
        host: 'db1',
        timestampMs: T0 + index * 1000,
        values: { 'cpu.busy': index % 100 },
      });
  }
  store.addSamples(samples.slice(0, 1000));
  store.addSeries([series('db1', 'cpu.iowait', { chart: 'CPU', unit: '%', tab: 'cpu' })]);
  store.addSamples(
    samples
      .slice(1000)
      .map((sample) =>
        sample.host === 'db1'
          ? { ...sample, values: { 'cpu.iowait': 0.5, ...sample.values } }
          : sample,
      ),
  );
  store.addHostState({ host: 'db1', timestampMs: T0 + 1000, status: 'up' });
  store.addEvent({
    id: 'span',
    kind: 'span',
    timestampMs: T0 + 10_000,
    endTimestampMs: T0 + 20_000,
    label: 'load',
    source: 'user',
    color: '#123456',
    dash: 'dash',
    host: 'web1',
  });
  store.addEvent({
    id: 'open',
    kind: 'span',
    timestampMs: T0 + 30_000,
    label: 'still running',
    source: 'auto',
    color: 'red',
    dash: 'dot',
  });
  store.addEvent({
    id: 'mark',
    kind: 'mark',
    timestampMs: T0,
    label: 'start',
    source: 'manual',
    color: 'blue',
    dash: 'solid',
  });
}

async function exportText(store: MonitorStore): Promise<string> {
  let text = '';
  const out = new Writable({
    highWaterMark: 1024, // small, so that the export waits for drain
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      setImmediate(done);
    },
  });
  await store.exportJson(out);
  return text;
}

/** A readable stream of a text in small chunks, splitting lines, strings and UTF-8 characters. */
function chunked(text: string, size = 7): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

function readAll(store: MonitorStore) {
  const queries = [
    {},
    { maxPoints: 100 },
    { maxPoints: 2 },
    { fromMs: T0 + 500, toMs: T0 + 20_500 },
  ];
  return {
    info: store.info(),
    hosts: store.hosts(),
    series: store.series(),
    states: store.hostStates(),
    events: store.events(),
    data: store
      .hosts()
      .flatMap((host) => queries.map((query) => store.readData({ host, ...query }))),
  };
}

describe('the JSON archive', () => {
  it('is lossless both ways: db -> json -> db -> json gives the same bytes and the same data', async () => {
    const dir = await makeTempDir('otto-archive-');
    const original = await MonitorStore.open(join(dir, 'a.db'), { mode: 'write' });
    opened.push(original);
    fillStore(original);
    const first = await exportText(original);

    const copy = await MonitorStore.open(join(dir, 'b.db'), { mode: 'write' });
    opened.push(copy);
    await copy.importJson(chunked(first, 997));
    expect(await exportText(copy)).toBe(first);
    expect(readAll(copy)).toEqual(readAll(original));

    const inMemory = await memoryStore();
    writeFileSync(join(dir, 'a.json'), first);
    await inMemory.importJson(createReadStream(join(dir, 'a.json'), { highWaterMark: 4096 }));
    expect(await exportText(inMemory)).toBe(first);
    expect(readAll(inMemory)).toEqual(readAll(original));
  });

  it('writes the documented layout, one element per line, samples last', async () => {
    const store = await memoryStore();
    store.setInfo({ intervalMs: 2000, title: 't', startedAtMs: T0, version: '1' });
    store.addSeries([series('h', 'k')]);
    store.addSamples([
      { host: 'h', timestampMs: T0, values: { k: 0.1 }, details: { k: { a: 1 } } },
    ]);
    store.addHostState({ host: 'h', timestampMs: T0, status: 'up' });
    expect(await exportText(store)).toBe(
      [
        '{"format":"otto-monitor","version":1,',
        `"info":{"intervalMs":2000,"title":"t","startedAtMs":${T0},"version":"1"},`,
        '"hosts":["h"],',
        '"series":[',
        '{"host":"h","key":"k","label":"k","chart":"Net","unit":"B/s","tab":"network","labels":{}}',
        '],',
        '"states":[',
        `{"host":"h","timestampMs":${T0},"status":"up"}`,
        '],',
        '"events":[],',
        '"samples":[',
        `{"host":"h","timestampMs":${T0},"values":{"k":0.1},"details":{"k":{"a":1}}}`,
        ']}',
        '',
      ].join('\n'),
    );
    const empty = await memoryStore();
    expect(JSON.parse(await exportText(empty))).toEqual({
      format: 'otto-monitor',
      version: 1,
      info: null,
      hosts: [],
      series: [],
      states: [],
      events: [],
      samples: [],
    });
  });

  it('writes to a file stream', async () => {
    const dir = await makeTempDir('otto-archive-');
    const store = await memoryStore();
    fillStore(store);
    const out = createWriteStream(join(dir, 'x.json'));
    await store.exportJson(out);
    out.end();
    await finished(out);
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe(await exportText(store));
  });

  it('names what is wrong with an archive that is not one, with its place', async () => {
    const fix =
      'Fix: give a JSON archive written by the monitor (its Export button, GET /api/export or exportJson).';
    const head = '{"format":"otto-monitor","version":1,\n"info":null,\n';
    const goodSeries =
      '"series":[\n{"host":"h","key":"k","label":"k","chart":"c","unit":"","tab":"t","labels":{}}\n],\n';
    const cases: Array<[string, string]> = [
      ['', 'it is empty'],
      ['[1, 2]', 'it is not a JSON object'],
      [
        '{"metrics": []}',
        'it is not an otto monitor archive (it does not start with "format": "otto-monitor")',
      ],
      [
        '{"format":"otto-monitor","version":2}',
        'its version 2 is newer than this otto-ts reads (1)',
      ],
      [
        `${head}"series":[\n{"host":"h",}\n]}`,
        'invalid JSON at line 4, column 13: expected a property name in double quotes',
      ],
      [`${head}"events":[\n{"a":tru}]}`, 'invalid JSON at line 4, column 6: expected a value'],
      [`${head}"hosts":["a" "b"]}`, "invalid JSON at line 3, column 14: expected ',' or ']'"],
      [
        `${head}"samples":[{"a":"✓✓\n"}]}`,
        'invalid JSON at line 3, column 20: control character in a string',
      ],
      [`${head}"states":[`, 'invalid JSON at line 3, column 11: unexpected end of the text'],
      [
        `${head}"series":[{"host":"h","key":"k","label":"k","chart":"c","unit":"","tab":"t"}]}`,
        'series[0] at line 3, column 11: "labels" is not an object',
      ],
      [
        `${head}${goodSeries}"samples":[\n{"host":"h","timestampMs":"1","values":{}}]}`,
        'samples[0] at line 7, column 1: "timestampMs" is not a number',
      ],
      [
        `${head}${goodSeries}"samples":[{"host":"h","timestampMs":1,"values":{"k":1}},\n  {"host":"h","timestampMs":2,"values":{"x":1}}]}`,
        'samples[1] at line 7, column 3: host "h" has no series "x" in "series"',
      ],
      [
        `${head}"events":[{"id":"e","kind":"mark","timestampMs":1,"label":"l","source":"user","color":"c","dash":"wavy"}]}`,
        'events[0] at line 3, column 11: "dash" is not one of solid, dot, dash, longdash, dashdot',
      ],
      [`${head}"hosts":"h"}`, '"hosts" at line 3, column 9: it is not an array'],
      [
        `${head}"hosts":[]} trailing`,
        'invalid JSON at line 3, column 13: expected the end of the text',
      ],
    ];
    for (const [text, why] of cases) {
      const store = await memoryStore();
      const error = await store
        .importJson(chunked(text, 5))
        .catch((caught: unknown) => caught as Error);
      expect(error, text).toMatchObject({ code: 'MONITOR_IMPORT_INVALID' });
      expect((error as Error).message, text).toBe(
        `Cannot import the monitor archive: ${why}.\n${fix}`,
      );
    }
  });

  it('names the file of a file stream, and refuses to import into a store holding data', async () => {
    const dir = await makeTempDir('otto-archive-');
    const path = join(dir, 'notes.json');
    writeFileSync(path, '{"hello": "world"}');
    const store = await memoryStore();
    await expect(store.importJson(createReadStream(path))).rejects.toThrow(
      `Cannot import ${path}: it is not an otto monitor archive (it does not start with "format": "otto-monitor").`,
    );
    store.setInfo({ intervalMs: 1, title: '', startedAtMs: 0, version: '' });
    const error = await store
      .importJson(createReadStream(path))
      .catch((caught: unknown) => caught as Error);
    expect(error).toMatchObject({ code: 'MONITOR_OPTIONS' });
    expect((error as Error).message).toBe(
      `Cannot import ${path} into monitor database :memory:: it already holds data.\n` +
        'Fix: import into a new database, or into MonitorStore.openMemory().',
    );
  });
});
