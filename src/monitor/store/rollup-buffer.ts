/**
 * Keeps the `rollups` table in step with the samples: per host and minute, the sum and count of
 * each series. The minute a host's samples fall in stays in memory and is written at the end of
 * every `addSamples` transaction, so a reader always finds rollups matching the committed samples;
 * a sample of another minute (an import out of order) reads that minute's row first.
 */
import type { Statement } from 'better-sqlite3';
import { packRollup, unpackRollup, type RollupSums } from './sample-codec.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** Width of a rollup bucket: a minute. Buckets start at whole minutes since the epoch. */
export const ROLLUP_MS = 60_000;

interface OpenBucket extends RollupSums {
  bucketMs: number;
  dirty: boolean;
}

/** The rollup buckets being filled, one per host. */
export class RollupBuffer {
  private readonly open = new Map<number, OpenBucket>();
  private readonly readRow: Statement;
  private readonly writeRow: Statement;

  constructor(db: SqliteDatabase) {
    this.readRow = db.prepare('SELECT sums FROM rollups WHERE host_id = ? AND ts = ?').pluck();
    this.writeRow = db.prepare(
      'INSERT OR REPLACE INTO rollups (host_id, ts, sums) VALUES (?, ?, ?)',
    );
  }

  /** Adds one sample's values (by series ordinal) to its host's bucket. */
  add(hostId: number, timestampMs: number, ordinals: readonly number[], values: readonly number[]) {
    const bucket = this.bucketOf(hostId, Math.floor(timestampMs / ROLLUP_MS) * ROLLUP_MS);
    for (let index = 0; index < ordinals.length; index++) {
      const ordinal = ordinals[index] ?? 0;
      while (bucket.sums.length <= ordinal) {
        bucket.sums.push(0);
        bucket.counts.push(0);
      }
      bucket.sums[ordinal] = (bucket.sums[ordinal] ?? 0) + (values[index] ?? 0);
      bucket.counts[ordinal] = (bucket.counts[ordinal] ?? 0) + 1;
    }
    bucket.dirty = true;
  }

  /** Writes every bucket changed since the last flush; call it inside the samples' transaction. */
  flush(): void {
    for (const [hostId, bucket] of this.open) this.write(hostId, bucket);
  }

  /** Forgets the buckets in memory (after a failed transaction): they are read again. */
  reset(): void {
    this.open.clear();
  }

  private bucketOf(hostId: number, bucketMs: number): OpenBucket {
    const current = this.open.get(hostId);
    if (current?.bucketMs === bucketMs) return current;
    if (current) this.write(hostId, current);
    const stored = this.readRow.get(hostId, bucketMs) as Buffer | undefined;
    const bucket = { bucketMs, dirty: false, ...(stored ? unpackRollup(stored) : emptySums()) };
    this.open.set(hostId, bucket);
    return bucket;
  }

  private write(hostId: number, bucket: OpenBucket): void {
    if (!bucket.dirty) return;
    this.writeRow.run(hostId, bucket.bucketMs, packRollup(bucket));
    bucket.dirty = false;
  }
}

function emptySums(): RollupSums {
  return { sums: [], counts: [] };
}
