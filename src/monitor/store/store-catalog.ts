/**
 * The ids behind a monitor database's rows: hosts, series ordinals and sample layouts. What never
 * changes once written (a host's id, a layout's keys, a series' ordinal) is cached; a miss reads
 * the file again, so a reader sees what a writer in another process added since.
 */
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite-driver.js';

/** A layout: the series keys of a sample's values blob, with their ordinals within the host. */
export interface Layout {
  keys: readonly string[];
  /** The ordinal of each key's series, or -1 for a key that has none (yet) in this reader. */
  ordinals: number[];
}

/** The hosts, series ordinals and layouts of one database. */
export class StoreCatalog {
  private readonly hostIds = new Map<string, number>();
  private readonly ordinalsByHost = new Map<number, Map<string, number>>();
  private readonly layoutIds = new Map<string, number>();
  private readonly layouts = new Map<number, Layout>();
  /** The last layout used per host: consecutive samples of a host mostly share it. */
  private readonly lastLayouts = new Map<number, { keys: readonly string[]; id: number }>();
  private readonly statements: Record<
    'findHost' | 'addHost' | 'ordinals' | 'findLayout' | 'addLayout' | 'layout',
    Statement
  >;

  constructor(db: SqliteDatabase) {
    this.statements = {
      findHost: db.prepare('SELECT id FROM hosts WHERE name = ?').pluck(),
      addHost: db.prepare('INSERT INTO hosts (name) VALUES (?)'),
      ordinals: db.prepare('SELECT key, ordinal FROM series WHERE host_id = ?').raw(),
      findLayout: db.prepare('SELECT id FROM layouts WHERE host_id = ? AND keys = ?').pluck(),
      addLayout: db.prepare('INSERT INTO layouts (host_id, keys) VALUES (?, ?)'),
      layout: db.prepare('SELECT host_id, keys FROM layouts WHERE id = ?').raw(),
    };
  }

  /** The id of a host, or undefined when the database has none of that name. */
  findHostId(name: string): number | undefined {
    const cached = this.hostIds.get(name);
    if (cached !== undefined) return cached;
    const id = this.statements.findHost.get(name) as number | undefined;
    if (id !== undefined) this.hostIds.set(name, id);
    return id;
  }

  /** The id of a host, adding the host when new (in order of first appearance). */
  ensureHostId(name: string): number {
    const found = this.findHostId(name);
    if (found !== undefined) return found;
    const id = Number(this.statements.addHost.run(name).lastInsertRowid);
    this.hostIds.set(name, id);
    return id;
  }

  /** Series key to ordinal (0, 1, ... in order of addition) of a host's series. */
  ordinals(hostId: number): Map<string, number> {
    let ordinals = this.ordinalsByHost.get(hostId);
    if (!ordinals) {
      const rows = this.statements.ordinals.all(hostId) as Array<[string, number]>;
      ordinals = new Map(rows);
      this.ordinalsByHost.set(hostId, ordinals);
    }
    return ordinals;
  }

  /** Forgets a host's ordinals, after its series changed. */
  forgetOrdinals(hostId: number): void {
    this.ordinalsByHost.delete(hostId);
  }

  /** The id of the layout of these keys for a host, adding it when new. */
  ensureLayoutId(hostId: number, keys: readonly string[]): number {
    const last = this.lastLayouts.get(hostId);
    if (last && sameKeys(last.keys, keys)) return last.id;
    const id = this.findOrAddLayout(hostId, keys);
    this.lastLayouts.set(hostId, { keys, id });
    return id;
  }

  private findOrAddLayout(hostId: number, keys: readonly string[]): number {
    const text = JSON.stringify(keys);
    const cacheKey = `${hostId}:${text}`;
    const cached = this.layoutIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const found = this.statements.findLayout.get(hostId, text) as number | undefined;
    const id = found ?? Number(this.statements.addLayout.run(hostId, text).lastInsertRowid);
    this.layoutIds.set(cacheKey, id);
    return id;
  }

  /** A layout by id, with its keys' ordinals; undefined for an id the file does not hold. */
  layout(id: number): Layout | undefined {
    const cached = this.layouts.get(id);
    if (cached) return cached;
    const row = this.statements.layout.get(id) as [number, string] | undefined;
    if (!row) return undefined;
    const [hostId, text] = row;
    const keys = JSON.parse(text) as string[];
    let ordinals = this.ordinalsOf(hostId, keys);
    if (ordinals.includes(-1)) {
      // Series added since this reader cached the host's: read them again.
      this.forgetOrdinals(hostId);
      ordinals = this.ordinalsOf(hostId, keys);
    }
    const layout: Layout = { keys, ordinals };
    if (!ordinals.includes(-1)) this.layouts.set(id, layout);
    return layout;
  }

  private ordinalsOf(hostId: number, keys: readonly string[]): number[] {
    const ordinals = this.ordinals(hostId);
    return keys.map((key) => ordinals.get(key) ?? -1);
  }

  /** Forgets everything cached (after a failed transaction, whose ids were rolled back). */
  reset(): void {
    this.hostIds.clear();
    this.ordinalsByHost.clear();
    this.layoutIds.clear();
    this.layouts.clear();
    this.lastLayouts.clear();
  }
}

function sameKeys(left: readonly string[], right: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}
