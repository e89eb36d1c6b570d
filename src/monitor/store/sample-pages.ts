/**
 * The samples of a database page by page, for an export: each page is one short query, so the
 * connection is free for the live monitor's writes between pages (an open iterator would refuse
 * them), and each host's samples are bounded by its last one when the export started, so the
 * archive holds no sample of a series added after its header was written.
 */
import type { ArchiveSampleRow } from './json-archive-writer.js';
import type { DataReader } from './data-reader.js';
import { floatAt, floatCount } from './sample-codec.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import type { StoreCatalog } from './store-catalog.js';

/** Sample rows read per page. */
const PAGE_ROWS = 2000;

type PageRow = [timestampMs: number, layoutId: number, values: Buffer, details: string | null];

/** What {@link pageSamples} reads from. */
export interface SamplePagesSource {
  db: SqliteDatabase;
  catalog: StoreCatalog;
  reader: DataReader;
  /** Throws when the store was closed meanwhile. */
  checkOpen(): void;
}

/**
 * The samples of `hosts` (in that order, each in time order) as stored now; pages are read as
 * they are asked for.
 */
export function pageSamples(
  source: SamplePagesSource,
  hosts: readonly string[],
): Iterable<ArchiveSampleRow[]> {
  const bounds = hosts.map((host) => {
    const hostId = source.catalog.findHostId(host) ?? -1;
    return { host, hostId, lastMs: source.reader.timeRange(hostId)?.toMs };
  });
  return readPages(source, bounds);
}

function* readPages(
  source: SamplePagesSource,
  bounds: Array<{ host: string; hostId: number; lastMs: number | undefined }>,
): Generator<ArchiveSampleRow[]> {
  const page = source.db
    .prepare(
      `SELECT s.ts, s.layout_id, s.vals, d.json FROM samples s
       LEFT JOIN details d ON d.host_id = s.host_id AND d.ts = s.ts
       WHERE s.host_id = ? AND s.ts > ? AND s.ts <= ? ORDER BY s.ts LIMIT ?`,
    )
    .raw();
  for (const { host, hostId, lastMs } of bounds) {
    if (lastMs === undefined) continue;
    let afterMs = Number.MIN_SAFE_INTEGER;
    for (;;) {
      source.checkOpen();
      const rows = page.all(hostId, afterMs, lastMs, PAGE_ROWS) as PageRow[];
      if (rows.length === 0) break;
      yield rows.map((row) => toArchiveRow(source.catalog, host, row));
      afterMs = rows[rows.length - 1]?.[0] ?? lastMs;
    }
  }
}

function toArchiveRow(catalog: StoreCatalog, host: string, row: PageRow): ArchiveSampleRow {
  const [timestampMs, layoutId, blob, details] = row;
  const keys = catalog.layout(layoutId)?.keys ?? [];
  const count = Math.min(keys.length, floatCount(blob));
  const values = Array.from({ length: count }, (_, index) => floatAt(blob, index));
  return { host, timestampMs, keys, values, ...(details === null ? {} : { detailsJson: details }) };
}
