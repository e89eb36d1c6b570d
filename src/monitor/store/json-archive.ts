/**
 * The JSON archive of a monitor run: everything a monitor database holds, lossless both ways
 * (database -> JSON -> database -> JSON gives the same bytes and the same readData answers).
 *
 *   {"format":"otto-monitor","version":1,
 *   "info":{"intervalMs":1000,"title":"lab1","startedAtMs":1700000000000,"version":"0.1.0"},
 *   "hosts":["web1","db1"],
 *   "series":[
 *   {"host":"web1","key":"cpu.busy","label":"busy","chart":"CPU","unit":"%","tab":"cpu","labels":{}},
 *   ...],
 *   "states":[
 *   {"host":"db1","timestampMs":1700000001000,"status":"down","reason":"connect timed out"},
 *   ...],
 *   "events":[
 *   {"id":"e1","kind":"span","timestampMs":..,"endTimestampMs":..,"label":"load","source":"user","color":"#e4572e","dash":"solid"},
 *   ...],
 *   "samples":[
 *   {"host":"web1","timestampMs":1700000000000,"values":{"cpu.busy":12.5,"mem.used":41.25},"details":{"proc.1":{"command":"nginx"}}},
 *   ...
 *   ]}
 *
 * - `format` comes first and says what the file is; `version` is the archive's format version
 *   (an archive of a newer version is refused); `info` is null when the run's info was never set.
 * - `hosts`: in order of first appearance (the dashboard's host order).
 * - `series`: metadata of every series, in order of first addition; `states`: every change of a
 *   host's state, in order; `events`: by timestamp.
 * - `samples` come last, so a reader has the header before the bulk. They are grouped by host
 *   (in host order), in time order; `values` lists a sample's series in the order it had them,
 *   numbers written as the shortest text reading back as the same float64. `details` (hover text
 *   by series key) only when the sample had some.
 * - One element per line, so the file streams both ways and reads well in a diff.
 */
import type { HostState, MonitorEvent, Sample, SeriesMeta } from '../metric-types.js';
import { ArchiveChecker } from './archive-checks.js';
import { importInvalid, scanArchive, type ArchiveEntry } from './json-archive-scanner.js';
import type { StoreInfo } from './run-records.js';

/** The `format` of a monitor archive. */
export const ARCHIVE_FORMAT = 'otto-monitor';

/** The archive format version written, and the newest read. */
export const ARCHIVE_VERSION = 1;

/** Samples added per transaction during an import. */
const IMPORT_BATCH_SAMPLES = 2000;

/** Where an import puts what it reads (a store). */
export interface ArchiveTarget {
  setInfo(info: StoreInfo): void;
  addHost(name: string): void;
  addSeries(series: readonly SeriesMeta[]): void;
  addHostState(state: HostState): void;
  addEvent(event: MonitorEvent): void;
  addSamples(samples: readonly Sample[]): void;
}

/** Reads an archive from `input` into `target`, checking each part; `name` names it in errors. */
export async function importJsonArchive(
  input: AsyncIterable<string | Buffer>,
  target: ArchiveTarget,
  name: string,
): Promise<void> {
  const importer = new ArchiveImporter(target, name);
  for await (const entry of scanArchive(input, name)) importer.take(entry);
  importer.finish();
}

/** The name of an input in messages: its file's path when it is a file stream. */
export function describeInput(input: unknown): string {
  const path = (input as { path?: unknown }).path;
  return typeof path === 'string' ? path : 'the monitor archive';
}

class ArchiveImporter {
  private readonly check: ArchiveChecker;
  private seenFormat = false;
  private series: SeriesMeta[] = [];
  /** The series keys read per host, to name a sample with an unknown one where it is. */
  private readonly seriesKeys = new Map<string, Set<string>>();
  private samples: Sample[] = [];

  constructor(
    private readonly target: ArchiveTarget,
    private readonly name: string,
  ) {
    this.check = new ArchiveChecker(name);
  }

  take(entry: ArchiveEntry): void {
    if (!this.seenFormat) return this.takeFormat(entry);
    if (entry.key !== 'series') this.flushSeries();
    if (entry.key !== 'samples') this.flushSamples();
    const place = () =>
      entry.kind === 'element'
        ? `${entry.key}[${entry.index}] at ${entry.place()}`
        : `"${entry.key}" at ${entry.place()}`;
    if (entry.kind === 'value') return this.takeValue(entry.key, entry.value, place);
    this.takeElement(entry.key, entry.value, place);
  }

  finish(): void {
    if (!this.seenFormat) throw this.notArchive();
    this.flushSeries();
    this.flushSamples();
  }

  private takeFormat(entry: ArchiveEntry): void {
    if (entry.kind !== 'value' || entry.key !== 'format' || entry.value !== ARCHIVE_FORMAT) {
      throw this.notArchive();
    }
    this.seenFormat = true;
  }

  private takeValue(key: string, value: unknown, place: () => string): void {
    if (key === 'version') {
      if (typeof value !== 'number') this.check.fail(place, 'it is not a number');
      if (value > ARCHIVE_VERSION) {
        throw importInvalid(
          this.name,
          `its version ${value} is newer than this otto-ts reads (${ARCHIVE_VERSION})`,
        );
      }
    } else if (key === 'info') {
      const info = this.check.info(value, place);
      if (info) this.target.setInfo(info);
    } else if (['hosts', 'series', 'states', 'events', 'samples'].includes(key)) {
      this.check.fail(place, 'it is not an array');
    }
    // Other members are left out: a later version may add some.
  }

  private takeElement(key: string, value: unknown, place: () => string): void {
    if (key === 'hosts') this.target.addHost(this.check.host(value, place));
    else if (key === 'series') this.addSeries(this.check.series(value, place));
    else if (key === 'states') this.target.addHostState(this.check.state(value, place));
    else if (key === 'events') this.target.addEvent(this.check.event(value, place));
    else if (key === 'samples') this.addSample(this.check.sample(value, place), place);
  }

  private addSeries(series: SeriesMeta): void {
    this.series.push(series);
    let keys = this.seriesKeys.get(series.host);
    if (!keys) this.seriesKeys.set(series.host, (keys = new Set()));
    keys.add(series.key);
  }

  private addSample(sample: Sample, place: () => string): void {
    const known = this.seriesKeys.get(sample.host);
    for (const key in sample.values) if (!known?.has(key)) this.unknownSeries(sample, key, place);
    for (const key in sample.details) if (!known?.has(key)) this.unknownSeries(sample, key, place);
    this.samples.push(sample);
    if (this.samples.length >= IMPORT_BATCH_SAMPLES) this.flushSamples();
  }

  private unknownSeries(sample: Sample, key: string, place: () => string): never {
    this.check.fail(place, `host "${sample.host}" has no series "${key}" in "series"`);
  }

  private flushSeries(): void {
    if (this.series.length > 0) this.target.addSeries(this.series);
    this.series = [];
  }

  private flushSamples(): void {
    if (this.samples.length > 0) this.target.addSamples(this.samples);
    this.samples = [];
  }

  private notArchive() {
    return importInvalid(
      this.name,
      `it is not an otto monitor archive (it does not start with "format": "${ARCHIVE_FORMAT}")`,
    );
  }
}
