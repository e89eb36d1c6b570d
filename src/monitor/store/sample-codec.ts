/**
 * How a sample's values and a minute's rollup are packed into blobs: float64, little-endian (the
 * same bytes on every machine), in the order of the sample's layout (its list of series keys) or,
 * for rollups, of the series' ordinals within the host: `[sum_0 .. sum_n-1, count_0 .. count_n-1]`.
 */

const FLOAT_BYTES = 8;

/** The keys and values of a sample, without non-finite values (JSON has no NaN: no point there). */
export interface SampleColumns {
  keys: string[];
  values: number[];
}

/**
 * Splits a sample's values into keys and values, in the object's own order (which the layout
 * keeps, so an export lists them as they came). -0 becomes 0, which JSON would make of it anyway.
 * @example columnsOf({ 'cpu.busy': 12.5, 'mem.used': NaN }) // { keys: ['cpu.busy'], values: [12.5] }
 */
export function columnsOf(values: Record<string, number>): SampleColumns {
  const columns: SampleColumns = { keys: [], values: [] };
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    columns.keys.push(key);
    columns.values.push(value + 0); // -0 + 0 is +0
  }
  return columns;
}

/** Packs values as float64 little-endian. */
export function packFloats(values: ArrayLike<number>): Buffer {
  const blob = Buffer.allocUnsafe(values.length * FLOAT_BYTES);
  for (let index = 0; index < values.length; index++) {
    blob.writeDoubleLE(values[index] ?? 0, index * FLOAT_BYTES);
  }
  return blob;
}

/** Reads the `index`-th float64 of a packed blob. */
export function floatAt(blob: Buffer, index: number): number {
  return blob.readDoubleLE(index * FLOAT_BYTES);
}

/** How many float64 a blob holds. */
export function floatCount(blob: Buffer): number {
  return Math.floor(blob.length / FLOAT_BYTES);
}

/** The sums and counts of one host's series over one rollup bucket, by series ordinal. */
export interface RollupSums {
  sums: number[];
  counts: number[];
}

/** Packs a rollup: the sums, then the counts. */
export function packRollup(rollup: RollupSums): Buffer {
  return packFloats([...rollup.sums, ...rollup.counts]);
}

/** Unpacks a rollup blob written by {@link packRollup}. */
export function unpackRollup(blob: Buffer): RollupSums {
  const seriesCount = Math.floor(floatCount(blob) / 2);
  const rollup: RollupSums = { sums: [], counts: [] };
  for (let ordinal = 0; ordinal < seriesCount; ordinal++) {
    rollup.sums.push(floatAt(blob, ordinal));
    rollup.counts.push(floatAt(blob, seriesCount + ordinal));
  }
  return rollup;
}
