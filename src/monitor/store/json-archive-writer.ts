/**
 * Writes the JSON archive of a monitor database (the format is described in json-archive.ts),
 * streamed: one line per series, state, event and sample, sent in chunks that respect the
 * stream's back-pressure, so a day of ten hosts never becomes one string. Numbers are written as
 * JavaScript writes them (the shortest text that reads back as the same float64), so an import
 * gives back every value exactly.
 */
import { once } from 'node:events';
import type { HostState, MonitorEvent, SeriesMeta } from '../metric-types.js';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION } from './json-archive.js';
import type { StoreInfo } from './run-records.js';

/** One sample as the archive writer gets it: its layout's keys, packed values and details. */
export interface ArchiveSampleRow {
  host: string;
  timestampMs: number;
  keys: readonly string[];
  values: readonly number[];
  /** The details' JSON text, as stored. */
  detailsJson?: string;
}

/** What an archive holds, the samples read page by page (the store's connection stays free). */
export interface ArchiveContent {
  info: StoreInfo | undefined;
  hosts: readonly string[];
  series: readonly SeriesMeta[];
  states: readonly HostState[];
  events: readonly MonitorEvent[];
  samplePages: Iterable<readonly ArchiveSampleRow[]>;
}

const CHUNK_CHARS = 1 << 16;

/** Writes the archive to `out` (which it does not end). */
export async function writeJsonArchive(
  content: ArchiveContent,
  out: NodeJS.WritableStream,
): Promise<void> {
  const writer = new ChunkWriter(out);
  const head = { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION };
  await writer.write(
    `${JSON.stringify(head).slice(0, -1)},\n"info":${JSON.stringify(content.info ?? null)},\n`,
  );
  await writer.write(`"hosts":${JSON.stringify(content.hosts)},\n`);
  await writeArray(writer, 'series', content.series.map(seriesJson));
  await writeArray(writer, 'states', content.states.map(stateJson));
  await writeArray(
    writer,
    'events',
    content.events.map((event) => JSON.stringify(event)),
  );
  await writer.write('"samples":[');
  let first = true;
  for (const page of content.samplePages) {
    for (const row of page) {
      await writer.write(`${first ? '\n' : ',\n'}${sampleJson(row)}`);
      first = false;
    }
  }
  await writer.write(first ? ']}\n' : '\n]}\n');
  await writer.end();
}

async function writeArray(writer: ChunkWriter, key: string, lines: string[]): Promise<void> {
  const body = lines.length === 0 ? '' : `\n${lines.join(',\n')}\n`;
  await writer.write(`"${key}":[${body}],\n`);
}

/** A series' fields in one order, whatever the order they were given in. */
function seriesJson(series: SeriesMeta): string {
  const { host, key, label, chart, unit, tab, labels } = series;
  return JSON.stringify({ host, key, label, chart, unit, tab, labels });
}

function stateJson(state: HostState): string {
  const { host, timestampMs, status, reason } = state;
  return JSON.stringify(
    reason === undefined ? { host, timestampMs, status } : { host, timestampMs, status, reason },
  );
}

const quotedKeys = new WeakMap<readonly string[], string[]>();

/** `{"host":..,"timestampMs":..,"values":{..}[,"details":{..}]}`, built without an object. */
function sampleJson(row: ArchiveSampleRow): string {
  let quoted = quotedKeys.get(row.keys);
  if (!quoted) {
    quoted = row.keys.map((key) => `${JSON.stringify(key)}:`);
    quotedKeys.set(row.keys, quoted);
  }
  const values = quoted.map((key, index) => `${key}${String(row.values[index])}`).join(',');
  const details = row.detailsJson === undefined ? '' : `,"details":${row.detailsJson}`;
  return `{"host":${JSON.stringify(row.host)},"timestampMs":${row.timestampMs},"values":{${values}}${details}}`;
}

/** Joins small writes into chunks and waits for `drain` when the stream asks to. */
class ChunkWriter {
  private pending = '';

  constructor(private readonly out: NodeJS.WritableStream) {}

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) await this.send();
  }

  async end(): Promise<void> {
    await this.send();
  }

  private async send(): Promise<void> {
    const chunk = this.pending;
    this.pending = '';
    if (chunk && !this.out.write(chunk)) await once(this.out, 'drain');
  }
}
