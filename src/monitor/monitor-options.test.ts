import { describe, expect, it } from 'vitest';
import { SILENT_LOGGER } from '../common/logger.js';
import { MonitorError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import { normalizeMonitorOptions } from './monitor-options.js';

/** Only the id and kind of a host are read by the options. */
function host(id: string): Host {
  return { id, kind: 'local' } as Host;
}

describe('normalizeMonitorOptions', () => {
  it("fills every default: otto's 5 s interval, memory, no server, no processes", () => {
    const hosts = [host('web1')];
    expect(normalizeMonitorOptions({ hosts, logger: SILENT_LOGGER })).toEqual({
      hosts,
      intervalMs: 5000,
      db: undefined,
      title: 'otto monitor',
      processes: 0,
      serve: undefined,
      logger: SILENT_LOGGER,
      signal: undefined,
    });
  });

  it('refuses an interval below the minimum, saying how to fix it', () => {
    expect(() => normalizeMonitorOptions({ hosts: [host('web1')], intervalMs: 200 })).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        'Cannot start the monitor: an interval of 200ms is below the minimum of 500ms.',
        { fix: 'poll every 500ms or slower (--interval 0.5 on the command line).' },
      ),
    );
  });

  it('takes the minimum interval itself', () => {
    expect(normalizeMonitorOptions({ hosts: [host('a')], intervalMs: 500 }).intervalMs).toBe(500);
  });

  it('refuses, all at once, an interval that is no number, a bad process count and repeated hosts', () => {
    expect(() =>
      normalizeMonitorOptions({
        hosts: [host('a'), host('b'), host('a'), host('b')],
        intervalMs: Number.NaN,
        processes: -1,
      }),
    ).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        'Cannot start the monitor: the interval must be a number of milliseconds, got NaN; `processes` must be a whole number from 0, got -1; the host ids "a", "b" are given twice.',
      ),
    );
  });

  it('refuses to start without hosts', () => {
    expect(() => normalizeMonitorOptions({ hosts: [] })).toThrow(
      new MonitorError('MONITOR_NO_HOSTS', 'Cannot start the monitor: no host to poll.', {
        fix: 'name hosts of the lab (otto monitor web1,db1, or --hosts REGEX), or pass `hosts`.',
      }),
    );
  });
});
