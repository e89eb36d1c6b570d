/**
 * Writes samples: one row each (values packed by layout), their details when they have some, and
 * the rollups, all in one transaction per call. A batch is checked whole before anything is
 * written, so a sample naming an unknown series writes nothing of its batch.
 */
import type { Statement, Transaction } from 'better-sqlite3';
import { MonitorError } from '../../errors.js';
import type { Sample } from '../metric-types.js';
import { RollupBuffer } from './rollup-buffer.js';
import { columnsOf, packFloats, type SampleColumns } from './sample-codec.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import type { StoreCatalog } from './store-catalog.js';

interface CheckedSample extends SampleColumns {
  host: string;
  timestampMs: number;
  ordinals: number[];
  /** The details as JSON text, when there are some. */
  detailsJson?: string;
}

/** Adds samples to a database, one transaction per call. */
export class SampleWriter {
  private readonly rollups: RollupBuffer;
  private readonly insertSample: Statement;
  private readonly insertDetails: Statement;
  private readonly writeBatch: Transaction<(samples: readonly CheckedSample[]) => void>;

  constructor(
    db: SqliteDatabase,
    private readonly catalog: StoreCatalog,
    private readonly path: string,
  ) {
    this.rollups = new RollupBuffer(db);
    // A second sample of a host at a stored time (a clock stepped back) is left out: the first
    // one stays, and so do the rollups it went into.
    this.insertSample = db.prepare(
      'INSERT OR IGNORE INTO samples (host_id, ts, layout_id, vals) VALUES (?, ?, ?, ?)',
    );
    this.insertDetails = db.prepare('INSERT INTO details (host_id, ts, json) VALUES (?, ?, ?)');
    this.writeBatch = db.transaction((samples: readonly CheckedSample[]) => {
      for (const sample of samples) this.writeSample(sample);
      this.rollups.flush();
    });
  }

  /** Writes a batch in one transaction; refuses it whole when a sample names an unknown series. */
  add(samples: readonly Sample[]): void {
    const checked = samples.map((sample) => this.check(sample));
    try {
      this.writeBatch(checked);
    } catch (error) {
      // The transaction rolled back: ids cached during it may not exist.
      this.catalog.reset();
      this.rollups.reset();
      throw error;
    }
  }

  private writeSample(sample: CheckedSample): void {
    const hostId = this.catalog.ensureHostId(sample.host);
    const layoutId = this.catalog.ensureLayoutId(hostId, sample.keys);
    const blob = packFloats(sample.values);
    const { changes } = this.insertSample.run(hostId, sample.timestampMs, layoutId, blob);
    if (changes === 0) return;
    if (sample.detailsJson) this.insertDetails.run(hostId, sample.timestampMs, sample.detailsJson);
    this.rollups.add(hostId, sample.timestampMs, sample.ordinals, sample.values);
  }

  private check(sample: Sample): CheckedSample {
    if (!Number.isSafeInteger(sample.timestampMs)) {
      throw new MonitorError(
        'MONITOR_OPTIONS',
        `Cannot add a sample of host "${sample.host}" to monitor database ${this.path}: its timestampMs ${sample.timestampMs} is not a whole number of ms.`,
      );
    }
    const hostId = this.catalog.findHostId(sample.host);
    const known = hostId === undefined ? new Map<string, number>() : this.catalog.ordinals(hostId);
    const columns = columnsOf(sample.values);
    const ordinals = columns.keys.map((key) => known.get(key) ?? this.unknownSeries(sample, key));
    for (const key of Object.keys(sample.details ?? {})) {
      if (!known.has(key)) this.unknownSeries(sample, key);
    }
    const hasDetails = sample.details !== undefined && Object.keys(sample.details).length > 0;
    return {
      host: sample.host,
      timestampMs: sample.timestampMs,
      ...columns,
      ordinals,
      ...(hasDetails ? { detailsJson: JSON.stringify(sample.details) } : {}),
    };
  }

  private unknownSeries(sample: Sample, key: string): never {
    throw new MonitorError(
      'MONITOR_UNKNOWN_SERIES',
      `Cannot add a sample of host "${sample.host}" at ${new Date(sample.timestampMs).toISOString()} to monitor database ${this.path}: it has no series "${key}".`,
      { fix: 'add the series with addSeries before samples that have values for it.' },
    );
  }
}
