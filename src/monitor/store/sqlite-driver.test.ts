import { describe, expect, it, vi } from 'vitest';
import { loadSqliteDriver } from './sqlite-driver.js';

// The native binding failing to load, as where better-sqlite3 could not be built.
vi.mock('better-sqlite3', () => ({
  default: class {
    constructor() {
      throw new Error('Could not locate the bindings file. Tried:\n → build/better_sqlite3.node');
    }
  },
}));

describe('loadSqliteDriver', () => {
  it('names the package and how to rebuild it when its native module does not load', async () => {
    const error = (await loadSqliteDriver().then(
      () => new Error('expected a refusal'),
      (caught: unknown) => caught,
    )) as Error;
    expect(error).toMatchObject({ code: 'MONITOR_SQLITE_UNAVAILABLE' });
    expect(error.message).toBe(
      'Cannot open a monitor database: the SQLite driver (the npm package better-sqlite3) could not be loaded: Could not locate the bindings file. Tried:\n' +
        'Fix: rebuild it with `npm rebuild better-sqlite3` (it needs python3, make and g++), or monitor without --db.',
    );
  });
});
