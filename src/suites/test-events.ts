import type { NewMonitorEvent } from '../monitor/metric-types.js';

/**
 * The span event of a test on a monitor's charts, `<suite> > <test>`: grey and dashed while it
 * runs, then green when it passed, red when it failed (failed `t.expect`s and Ctrl-C included),
 * grey and dotted when it was skipped. `otto test --monitor` draws them from its reporter, a
 * suite's own monitor from the worker.
 */

/** Colour of a span by the test's outcome. */
export const TEST_EVENT_COLORS: Record<'passed' | 'failed' | 'skipped', string> = {
  passed: '#2e9e44',
  failed: '#d62728',
  skipped: '#8c8c8c',
};

/** Colour of the span of a test still running. */
export const RUNNING_COLOR = '#8c8c8c';

/** The span of a test as it starts (see the file comment). */
export function testStartEvent(label: string, timestampMs = Date.now()): NewMonitorEvent {
  return { label, kind: 'span', timestampMs, source: 'auto', color: RUNNING_COLOR, dash: 'dash' };
}
