/**
 * The run's info (interval, title, start, otto-ts version) and the hosts' state changes. A state
 * is stored only when a host's status or reason changes, so the table holds the history of
 * changes (what a replay shows) and stays small however long the run.
 */
import type { Statement } from 'better-sqlite3';
import type { HostState } from '../metric-types.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import type { StoreCatalog } from './store-catalog.js';

/** What a monitor run is, saved with its data so that a replay knows its interval and title. */
export interface StoreInfo {
  /** Tick period, ms. */
  intervalMs: number;
  /** A title: the lab's name, the file's name. */
  title: string;
  /** When the run started, ms since the epoch. */
  startedAtMs: number;
  /** The otto-ts version that recorded it. */
  version: string;
}

interface StateRow {
  host: string;
  ts: number;
  status: 'up' | 'down';
  reason: string | null;
}

/** Reads and writes the info and the host states. */
export class RunRecords {
  private readonly statements: Record<
    'setInfo' | 'info' | 'addState' | 'lastState' | 'latest' | 'all',
    Statement
  >;

  constructor(
    db: SqliteDatabase,
    private readonly catalog: StoreCatalog,
  ) {
    const selectState = `SELECT h.name AS host, st.ts, st.status, st.reason
      FROM host_states st JOIN hosts h ON h.id = st.host_id`;
    this.statements = {
      setInfo: db.prepare(
        `INSERT OR REPLACE INTO info (slot, interval_ms, title, started_at_ms, version)
         VALUES (1, @intervalMs, @title, @startedAtMs, @version)`,
      ),
      info: db.prepare(
        `SELECT interval_ms AS intervalMs, title, started_at_ms AS startedAtMs, version
         FROM info WHERE slot = 1`,
      ),
      addState: db.prepare(
        'INSERT INTO host_states (host_id, ts, status, reason) VALUES (?, ?, ?, ?)',
      ),
      lastState: db
        .prepare(
          'SELECT status, reason FROM host_states WHERE host_id = ? ORDER BY id DESC LIMIT 1',
        )
        .raw(),
      latest: db.prepare(
        `${selectState} WHERE st.id IN (SELECT max(id) FROM host_states GROUP BY host_id)
         ORDER BY h.id`,
      ),
      all: db.prepare(`${selectState} ORDER BY st.id`),
    };
  }

  /** Saves the run's info, replacing what was there. */
  setInfo(info: StoreInfo): void {
    const { intervalMs, title, startedAtMs, version } = info;
    this.statements.setInfo.run({ intervalMs, title, startedAtMs, version });
  }

  /** The run's info, or undefined before it was set. */
  info(): StoreInfo | undefined {
    const row = this.statements.info.get() as StoreInfo | undefined;
    return row && { ...row };
  }

  /** Stores a state when its status or reason differs from the host's last one; true if stored. */
  addHostState(state: HostState): boolean {
    const hostId = this.catalog.ensureHostId(state.host);
    const last = this.statements.lastState.get(hostId) as [string, string | null] | undefined;
    const reason = state.reason ?? null;
    if (last && last[0] === state.status && last[1] === reason) return false;
    this.statements.addState.run(hostId, state.timestampMs, state.status, reason);
    return true;
  }

  /** The latest state of each host, in host order. */
  latestStates(): HostState[] {
    return (this.statements.latest.all() as StateRow[]).map(toHostState);
  }

  /** Every stored state change, in the order stored. */
  allStates(): HostState[] {
    return (this.statements.all.all() as StateRow[]).map(toHostState);
  }
}

function toHostState(row: StateRow): HostState {
  const state: HostState = { host: row.host, timestampMs: row.ts, status: row.status };
  if (row.reason !== null) state.reason = row.reason;
  return state;
}
