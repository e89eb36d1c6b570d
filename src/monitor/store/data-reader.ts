/**
 * Answers `readData`: one host's series over a time range, as columns. Three ways, by how many
 * samples the range holds (counted up to a bound, so counting stays cheap):
 * - at most `maxPoints`: every sample, with its details (`bucketMs` 0);
 * - up to {@link RAW_ROWS_MAX}: the samples averaged per bucket of a whole number of intervals;
 * - more: the minute rollups, averaged per bucket of a whole number of minutes, with the samples
 *   of the partial minutes at both ends of the range read one by one.
 * Measured on this machine: the driver costs ~3.5 us per sample row read (most of it making the
 * blob's Buffer), so a day of one host at 1 s (86,400 rows) takes ~300 ms as rows and a few ms as
 * its 1,440 rollups.
 */
import type { Statement } from 'better-sqlite3';
import type { DataQuery, DataResponse } from '../api-types.js';
import type { PointDetail } from '../metric-types.js';
import { BucketAccumulator, chooseBucketMs } from './downsample.js';
import { ROLLUP_MS } from './rollup-buffer.js';
import { floatAt, unpackRollup } from './sample-codec.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import type { StoreCatalog } from './store-catalog.js';

/** Most sample rows read one by one for a downsampled answer; past it the rollups are read. */
export const RAW_ROWS_MAX = 20_000;

/** Points per series when the query does not say. */
export const DEFAULT_MAX_POINTS = 2000;

type SampleRow = [timestampMs: number, layoutId: number, values: Buffer];

/** One host's columns over a range, before they are keyed by series id. */
interface HostColumns {
  timestamps: number[];
  columns: Array<Array<number | null>>;
  details?: Array<Array<PointDetail | null> | undefined>;
  bucketMs: number;
}

/** Reads one host's series over time ranges. */
export class DataReader {
  private readonly statements: Record<
    'count' | 'samples' | 'details' | 'rollups' | 'first' | 'last' | 'keys',
    Statement
  >;

  constructor(
    db: SqliteDatabase,
    private readonly catalog: StoreCatalog,
  ) {
    const inRange = 'host_id = ? AND ts >= ? AND ts <= ?';
    this.statements = {
      count: db
        .prepare(`SELECT count(*) FROM (SELECT 1 FROM samples WHERE ${inRange} LIMIT ?)`)
        .pluck(),
      samples: db
        .prepare(`SELECT ts, layout_id, vals FROM samples WHERE ${inRange} ORDER BY ts`)
        .raw(),
      details: db.prepare(`SELECT ts, json FROM details WHERE ${inRange} ORDER BY ts`).raw(),
      rollups: db.prepare(`SELECT ts, sums FROM rollups WHERE ${inRange} ORDER BY ts`).raw(),
      first: db.prepare('SELECT ts FROM samples WHERE host_id = ? ORDER BY ts LIMIT 1').pluck(),
      last: db.prepare('SELECT ts FROM samples WHERE host_id = ? ORDER BY ts DESC LIMIT 1').pluck(),
      keys: db.prepare('SELECT key FROM series WHERE host_id = ? ORDER BY ordinal').pluck(),
    };
  }

  /** The first and last sample times of a host, or undefined before its first sample. */
  timeRange(hostId: number): { fromMs: number; toMs: number } | undefined {
    const fromMs = this.statements.first.get(hostId) as number | undefined;
    const toMs = this.statements.last.get(hostId) as number | undefined;
    return fromMs === undefined || toMs === undefined ? undefined : { fromMs, toMs };
  }

  /** Answers a query; `intervalMs` is the tick interval (0 when unknown). */
  read(query: DataQuery, intervalMs: number): DataResponse {
    const hostId = this.catalog.findHostId(query.host);
    const range = hostId === undefined ? undefined : this.timeRange(hostId);
    const fromMs = query.fromMs ?? range?.fromMs ?? 0;
    const toMs = query.toMs ?? range?.toMs ?? fromMs;
    const empty: DataResponse = {
      host: query.host,
      fromMs,
      toMs,
      timestamps: [],
      values: {},
      bucketMs: 0,
    };
    if (hostId === undefined) return { ...empty, details: {} };
    const keys = this.statements.keys.all(hostId) as string[];
    // A reader's cached ordinals miss the series a writer added since: read them again.
    if (this.catalog.ordinals(hostId).size !== keys.length) this.catalog.forgetOrdinals(hostId);
    const maxPoints = Math.max(2, Math.floor(query.maxPoints ?? DEFAULT_MAX_POINTS));
    const columns =
      toMs < fromMs || !range
        ? { timestamps: [], columns: keys.map(() => []), details: [], bucketMs: 0 }
        : this.readColumns(hostId, {
            fromMs,
            toMs,
            maxPoints,
            intervalMs,
            seriesCount: keys.length,
          });
    return { ...empty, ...keyById(query.host, keys, columns) };
  }

  private readColumns(hostId: number, range: ColumnRange): HostColumns {
    const { fromMs, toMs, maxPoints } = range;
    const count = this.statements.count.get(hostId, fromMs, toMs, RAW_ROWS_MAX + 1) as number;
    if (count <= maxPoints) return this.readSamples(hostId, range);
    const stepMs = count <= RAW_ROWS_MAX ? Math.max(1, range.intervalMs) : ROLLUP_MS;
    const bucketMs = chooseBucketMs(fromMs, toMs, maxPoints, stepMs);
    const buckets = new BucketAccumulator(fromMs, toMs, bucketMs, range.seriesCount);
    if (count <= RAW_ROWS_MAX) this.addSamples(buckets, hostId, fromMs, toMs);
    else this.addRollups(buckets, hostId, fromMs, toMs);
    return { ...buckets.result(), bucketMs };
  }

  private readSamples(hostId: number, range: ColumnRange): HostColumns {
    const timestamps: number[] = [];
    const columns: Array<Array<number | null>> = Array.from(
      { length: range.seriesCount },
      () => [],
    );
    for (const [timestampMs, layoutId, blob] of this.iterate(hostId, range.fromMs, range.toMs)) {
      const index = timestamps.push(timestampMs) - 1;
      for (const column of columns) column.push(null);
      const ordinals = this.catalog.layout(layoutId)?.ordinals ?? [];
      ordinals.forEach((ordinal, at) => {
        const column = columns[ordinal];
        if (column) column[index] = floatAt(blob, at);
      });
    }
    const details = this.readDetails(hostId, range, timestamps);
    return { timestamps, columns, details, bucketMs: 0 };
  }

  private readDetails(hostId: number, range: ColumnRange, timestamps: number[]) {
    const indexOf = new Map(timestamps.map((timestampMs, index) => [timestampMs, index]));
    const ordinals = this.catalog.ordinals(hostId);
    const details: Array<Array<PointDetail | null> | undefined> = [];
    const rows = this.statements.details.all(hostId, range.fromMs, range.toMs) as Array<
      [number, string]
    >;
    for (const [timestampMs, json] of rows) {
      const index = indexOf.get(timestampMs);
      if (index === undefined) continue;
      for (const [key, detail] of Object.entries(JSON.parse(json) as Record<string, PointDetail>)) {
        const ordinal = ordinals.get(key);
        if (ordinal === undefined || ordinal >= range.seriesCount) continue;
        const column = (details[ordinal] ??= timestamps.map(() => null));
        column[index] = detail;
      }
    }
    return details;
  }

  private addSamples(buckets: BucketAccumulator, hostId: number, fromMs: number, toMs: number) {
    if (toMs < fromMs) return;
    for (const [timestampMs, layoutId, blob] of this.iterate(hostId, fromMs, toMs)) {
      const ordinals = this.catalog.layout(layoutId)?.ordinals ?? [];
      for (let at = 0; at < ordinals.length; at++) {
        buckets.add(timestampMs, ordinals[at] ?? -1, floatAt(blob, at));
      }
    }
  }

  /** Whole minutes from the rollups, the partial minutes at the ends from the samples. */
  private addRollups(buckets: BucketAccumulator, hostId: number, fromMs: number, toMs: number) {
    const wholeFromMs = Math.ceil(fromMs / ROLLUP_MS) * ROLLUP_MS;
    const wholeToMs = Math.floor((toMs + 1) / ROLLUP_MS) * ROLLUP_MS; // exclusive
    if (wholeFromMs >= wholeToMs) return this.addSamples(buckets, hostId, fromMs, toMs);
    this.addSamples(buckets, hostId, fromMs, wholeFromMs - 1);
    const rows = this.statements.rollups.iterate(hostId, wholeFromMs, wholeToMs - ROLLUP_MS);
    for (const [bucketMs, blob] of rows as IterableIterator<[number, Buffer]>) {
      const { sums, counts } = unpackRollup(blob);
      sums.forEach((sum, ordinal) => buckets.add(bucketMs, ordinal, sum, counts[ordinal] ?? 0));
    }
    this.addSamples(buckets, hostId, wholeToMs, toMs);
  }

  private iterate(hostId: number, fromMs: number, toMs: number): IterableIterator<SampleRow> {
    return this.statements.samples.iterate(hostId, fromMs, toMs) as IterableIterator<SampleRow>;
  }
}

interface ColumnRange {
  fromMs: number;
  toMs: number;
  maxPoints: number;
  intervalMs: number;
  seriesCount: number;
}

/** Keys columns by series id (`<host>/<key>`); details only when every point is there. */
function keyById(host: string, keys: string[], columns: HostColumns) {
  const values: DataResponse['values'] = {};
  keys.forEach((key, ordinal) => (values[`${host}/${key}`] = columns.columns[ordinal] ?? []));
  const response: Pick<DataResponse, 'timestamps' | 'values' | 'bucketMs' | 'details'> = {
    timestamps: columns.timestamps,
    values,
    bucketMs: columns.bucketMs,
  };
  if (columns.bucketMs === 0) {
    const details: NonNullable<DataResponse['details']> = {};
    keys.forEach((key, ordinal) => {
      const column = columns.details?.[ordinal];
      if (column) details[`${host}/${key}`] = column;
    });
    response.details = details;
  }
  return response;
}
