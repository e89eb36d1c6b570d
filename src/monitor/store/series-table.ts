/**
 * The series metadata of a monitor database: what the dashboard needs to draw each series (tab,
 * chart, unit, label, labels), kept so that a replay draws exactly what was live. Each series has
 * an ordinal within its host (0, 1, ... in order of first addition) that the rollups use.
 */
import type { Statement } from 'better-sqlite3';
import type { ApiSeries } from '../api-types.js';
import type { SeriesMeta } from '../metric-types.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import type { StoreCatalog } from './store-catalog.js';

type SeriesRow = Omit<SeriesMeta, 'labels'> & { labels: string };

/** Reads and upserts series. */
export class SeriesTable {
  private readonly upsert: Statement;
  private readonly list: Statement;
  private readonly listOfHost: Statement;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly catalog: StoreCatalog,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO series (host_id, ordinal, key, label, chart, unit, tab, labels)
       VALUES (@hostId, (SELECT count(*) FROM series WHERE host_id = @hostId), @key, @label,
               @chart, @unit, @tab, @labels)
       ON CONFLICT (host_id, key) DO UPDATE SET label = excluded.label, chart = excluded.chart,
         unit = excluded.unit, tab = excluded.tab, labels = excluded.labels`,
    );
    const select = `SELECT h.name AS host, s.key, s.label, s.chart, s.unit, s.tab, s.labels
      FROM series s JOIN hosts h ON h.id = s.host_id`;
    this.list = db.prepare(`${select} ORDER BY s.id`);
    this.listOfHost = db.prepare(`${select} WHERE h.name = ? ORDER BY s.id`);
  }

  /** Adds series, or updates the placement and labels of known ones, in one transaction. */
  add(series: readonly SeriesMeta[]): void {
    const hostIds = new Set<number>();
    try {
      this.db.transaction(() => {
        for (const meta of series) hostIds.add(this.write(meta));
      })();
    } catch (error) {
      this.catalog.reset();
      throw error;
    } finally {
      for (const hostId of hostIds) this.catalog.forgetOrdinals(hostId);
    }
  }

  /** Series in order of first addition (of one host, or of all). */
  read(host?: string): ApiSeries[] {
    const rows = (host === undefined ? this.list.all() : this.listOfHost.all(host)) as SeriesRow[];
    return rows.map(toApiSeries);
  }

  private write(meta: SeriesMeta): number {
    const hostId = this.catalog.ensureHostId(meta.host);
    this.upsert.run({
      hostId,
      key: meta.key,
      label: meta.label,
      chart: meta.chart,
      unit: meta.unit,
      tab: meta.tab,
      labels: JSON.stringify(meta.labels),
    });
    return hostId;
  }
}

function toApiSeries(row: SeriesRow): ApiSeries {
  const { host, key, label, chart, unit, tab } = row;
  const labels = JSON.parse(row.labels) as Record<string, string>;
  return { id: `${host}/${key}`, host, key, label, chart, unit, tab, labels };
}
