import type { Reporter, TestCase } from 'vitest/node';
import { MonitorError } from '../errors.js';
import type { MonitorEvent } from '../monitor/metric-types.js';
import type { MonitorSource } from '../monitor/monitor-source.js';
import { testResultOf } from './suite-results.js';
import { TEST_EVENT_COLORS, testStartEvent } from './test-events.js';

/**
 * The events `otto test --monitor` draws over the charts: a span per test (see test-events.ts),
 * from its start to its end, added from the reporter, in `otto test`'s own process, where the
 * run's monitor is.
 */

/** What the reporter needs of a monitor. */
export type MonitorEventSink = Pick<MonitorSource, 'addEvent' | 'updateEvent'>;

/**
 * A Vitest reporter adding a span per test to `sink` (see the file comment). A monitor that
 * refuses an event (it stopped) costs the run nothing: the span is left out.
 */
export function monitorReporter(sink: MonitorEventSink, suiteName: string): Reporter {
  const spans = new Map<string, MonitorEvent>();
  // Vitest reports a cancelled run's tests once more (Ctrl-C): one span per test all the same.
  const ended = new Set<string>();
  const label = (test: TestCase) => `${suiteName} > ${testResultOf(test, suiteName).id}`;
  return {
    onTestCaseReady(test: TestCase) {
      if (spans.has(test.id) || ended.has(test.id)) return;
      const span = tryEvent(() => sink.addEvent(testStartEvent(label(test))));
      if (span) spans.set(test.id, span);
    },
    onTestCaseResult(test: TestCase) {
      if (ended.has(test.id)) return;
      ended.add(test.id);
      const { state } = testResultOf(test, suiteName);
      const span = spans.get(test.id) ?? tryEvent(() => sink.addEvent(testStartEvent(label(test))));
      spans.delete(test.id);
      if (!span) return;
      // The worker's own times when known: the reporter hears of a test only when its updates
      // arrive, a little later.
      const diagnostic = test.diagnostic();
      const startMs = diagnostic?.startTime ?? span.timestampMs;
      const endMs = diagnostic ? startMs + diagnostic.duration : Date.now();
      tryEvent(() =>
        sink.updateEvent(span.id, {
          timestampMs: startMs,
          endTimestampMs: Math.max(endMs, startMs),
          color: TEST_EVENT_COLORS[state],
          dash: state === 'skipped' ? 'dot' : 'solid',
        }),
      );
    },
  };
}

/** The event, or undefined when the monitor refused it (it stopped): the run goes on. */
function tryEvent(add: () => MonitorEvent): MonitorEvent | undefined {
  try {
    return add();
  } catch (error) {
    if (error instanceof MonitorError) return undefined;
    throw error;
  }
}
