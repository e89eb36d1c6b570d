import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MonitorStore } from '../../src/monitor/store/monitor-store.js';
import { readDb, shown, useMonitorTestRepo } from './cli-monitor-repo.js';

/**
 * `otto test --monitor` and a suite's own monitor (`t.startMonitor`) end to end, on the SSH test
 * bed's `box`: the span event of each test, coloured by its outcome (a soft failure is a
 * failure), the events a test marks, and the recording the run's summary names.
 */

const setup = useMonitorTestRepo();
const otto = (args: string[], timeoutMs?: number) => setup.otto(args, timeoutMs);

describe('otto test --monitor', () => {
  it('records a span per test, green, red, and red for a soft failure, and the events of the tests', async () => {
    const result = await otto(
      ['test', 'Monitored', '--monitor', '--monitor-interval', '0.5'],
      120_000,
    );
    expect(result.exitCode, shown(result)).toBe(1);
    const dir = /^output: (.+)$/m.exec(result.stderr)![1]!;
    const db = join(dir, 'monitor.db');
    expect(result.stderr).toContain(`\nmonitor: ${db} (open it with: otto monitor --file ${db})\n`);
    expect(result.stderr).not.toContain('@box/oneshot');
    const { events, hosts } = await readDb(db);
    expect(hosts).toEqual(['box']);
    const shape = events.map(({ kind, label, color, dash, source }) => ({
      kind,
      label,
      color,
      dash,
      source,
    }));
    expect(shape).toEqual([
      {
        kind: 'span',
        label: 'Monitored > passes',
        color: '#2e9e44',
        dash: 'solid',
        source: 'auto',
      },
      { kind: 'mark', label: 'from the test', color: '#1f77b4', dash: 'solid', source: 'user' },
      { kind: 'span', label: 'Monitored > fails', color: '#d62728', dash: 'solid', source: 'auto' },
      {
        kind: 'span',
        label: 'Monitored > fails softly',
        color: '#d62728',
        dash: 'solid',
        source: 'auto',
      },
    ]);
    for (const span of events.filter((event) => event.kind === 'span'))
      expect(span.endTimestampMs, span.label).toBeGreaterThanOrEqual(span.timestampMs);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as {
      reports: { monitor?: string };
    };
    expect(summary.reports.monitor).toBe(db);
  });

  it("a suite's own monitor (t.startMonitor) records its tests' spans and is stopped when the suite forgets to", async () => {
    const result = await otto(['test', 'OwnMonitor'], 120_000);
    expect(result.exitCode, shown(result)).toBe(1);
    const dir = /^output: (.+)$/m.exec(result.stderr)![1]!;
    const db = join(dir, 'monitor.db');
    expect(result.stderr).toContain(`OwnMonitor: monitoring box, recording into ${db}\n`);
    // The monitor's ticks run on connections of their own, not echoed; the test's command is.
    expect(result.stderr).not.toContain('@box/oneshot');
    expect(result.stderr).toContain('@box | sleep 0.6\n');
    const { events, hosts, data } = await readDb(db);
    expect(hosts).toEqual(['box']);
    expect(data[0]!.timestamps.length).toBeGreaterThanOrEqual(1);
    expect(events.map(({ label, color }) => [label, color])).toEqual([
      ['OwnMonitor > passes', '#2e9e44'],
      ['OwnMonitor > fails', '#d62728'],
    ]);
    // Stopped: its writer lock is gone, so another writer may open it.
    using store = await MonitorStore.open(db, { mode: 'write' });
    expect(store.hosts()).toEqual(['box']);
  });
});
