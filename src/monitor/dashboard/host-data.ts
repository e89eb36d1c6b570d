/**
 * One host's points in the page, as columns (what uPlot draws): the times, then one array of
 * values per series, aligned with them. Loaded from `/api/data`, then grown by the stream's
 * samples; charts share these arrays rather than copying them.
 */
import type { DataResponse } from '../api-types.js';

/** Hover text of one point. */
export type PointDetail = Record<string, string | number>;

/** The points of one host. */
export class HostData {
  readonly timestamps: number[] = [];
  private readonly columns = new Map<string, Array<number | null>>();
  private readonly details = new Map<string, Array<PointDetail | null>>();
  /** Bucket width of the loaded points (0: every point); live points are never averaged. */
  bucketMs = 0;

  constructor(readonly host: string) {}

  /** The points of a `/api/data` answer. */
  static fromResponse(response: DataResponse): HostData {
    const data = new HostData(response.host);
    data.timestamps.push(...response.timestamps);
    for (const [id, values] of Object.entries(response.values)) data.columns.set(id, values);
    for (const [id, details] of Object.entries(response.details ?? {}))
      data.details.set(id, details);
    data.bucketMs = response.bucketMs;
    return data;
  }

  /** Time of the last point; undefined when there is none. */
  get lastMs(): number | undefined {
    return this.timestamps.at(-1);
  }

  /** The values of a series, aligned with {@link timestamps} (nulls where it has no point). */
  column(id: string): Array<number | null> {
    let column = this.columns.get(id);
    if (!column) {
      column = new Array<number | null>(this.timestamps.length).fill(null);
      this.columns.set(id, column);
    }
    return column;
  }

  /** Hover text of a series' point, when it has some. */
  detailAt(id: string, index: number): PointDetail | null {
    return this.details.get(id)?.[index] ?? null;
  }

  /** Adds one sample at the end; false (nothing added) when it is not newer than the last point. */
  append(
    timestampMs: number,
    values: Record<string, number>,
    details: Record<string, PointDetail> = {},
  ): boolean {
    const last = this.lastMs;
    if (last !== undefined && timestampMs <= last) return false;
    for (const id of Object.keys(values)) this.column(id);
    const index = this.timestamps.length;
    this.timestamps.push(timestampMs);
    for (const [id, column] of this.columns) column.push(values[id] ?? null);
    for (const [id, detail] of Object.entries(details)) this.detailsOf(id)[index] = detail;
    return true;
  }

  /**
   * Drops the points before `fromMs`. The arrays are shifted only once enough points are out,
   * so that a sliding window costs little per sample.
   */
  trimBefore(fromMs: number): void {
    const count = firstIndexAtOrAfter(this.timestamps, fromMs);
    if (count === 0 || (count < 256 && count < this.timestamps.length / 4)) return;
    this.timestamps.splice(0, count);
    for (const column of this.columns.values()) column.splice(0, count);
    for (const details of this.details.values()) details.splice(0, count);
  }

  private detailsOf(id: string): Array<PointDetail | null> {
    let details = this.details.get(id);
    if (!details) this.details.set(id, (details = []));
    return details;
  }
}

/** Index of the first time at or after `ms` in sorted `times` (its length when none is). */
export function firstIndexAtOrAfter(times: readonly number[], ms: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}
