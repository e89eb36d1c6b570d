import type { TestCase } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import { MonitorError } from '../errors.js';
import type { MonitorEvent, MonitorEventPatch, NewMonitorEvent } from '../monitor/metric-types.js';
import { monitorReporter, type MonitorEventSink } from './monitor-reporter.js';

/** A sink keeping events as a monitor would (ids in order), with what the reporter changed. */
function fakeSink(): MonitorEventSink & { events: Map<string, MonitorEvent> } {
  const events = new Map<string, MonitorEvent>();
  return {
    events,
    addEvent(input: NewMonitorEvent) {
      const event: MonitorEvent = {
        id: `e${events.size + 1}`,
        kind: input.kind ?? 'mark',
        timestampMs: input.timestampMs ?? 0,
        label: input.label,
        source: input.source ?? 'user',
        color: input.color ?? '#e4572e',
        dash: input.dash ?? 'solid',
      };
      events.set(event.id, event);
      return event;
    },
    updateEvent(id: string, patch: MonitorEventPatch) {
      const event = { ...events.get(id)!, ...patch };
      events.set(id, event);
      return event;
    },
  };
}

/** The parts of a Vitest test case the reporter reads. */
function fakeTest(
  name: string,
  state: 'passed' | 'failed' | 'skipped',
  diagnostic?: { startTime: number; duration: number },
): TestCase {
  return {
    id: name,
    fullName: `Web > ${name}`,
    meta: () => ({}),
    result: () => ({ state, errors: state === 'failed' ? [{ message: 'no' }] : [] }),
    diagnostic: () => diagnostic && { ...diagnostic, retryCount: 0, flaky: false },
  } as unknown as TestCase;
}

describe('monitorReporter', () => {
  it('draws a grey dashed span per test as it starts, then colours it by outcome over its own times', () => {
    const sink = fakeSink();
    const reporter = monitorReporter(sink, 'Web');
    const passing = fakeTest('answers', 'passed', { startTime: 1000, duration: 250 });
    const failing = fakeTest('soft expect fails', 'failed', { startTime: 1300, duration: 40 });
    void reporter.onTestCaseReady!(passing);
    expect([...sink.events.values()]).toMatchObject([
      { kind: 'span', label: 'Web > answers', source: 'auto', color: '#8c8c8c', dash: 'dash' },
    ]);
    void reporter.onTestCaseResult!(passing);
    void reporter.onTestCaseReady!(failing);
    void reporter.onTestCaseResult!(failing);
    // A skipped test is never ready: its span is added when its result comes.
    void reporter.onTestCaseResult!(fakeTest('later', 'skipped'));
    const events = [...sink.events.values()];
    expect(events.map(({ label, color, dash }) => ({ label, color, dash }))).toEqual([
      { label: 'Web > answers', color: '#2e9e44', dash: 'solid' },
      { label: 'Web > soft expect fails', color: '#d62728', dash: 'solid' },
      { label: 'Web > later', color: '#8c8c8c', dash: 'dot' },
    ]);
    expect(events.slice(0, 2).map((e) => [e.timestampMs, e.endTimestampMs])).toEqual([
      [1000, 1250],
      [1300, 1340],
    ]);
    expect(events[2]!.endTimestampMs).toBeGreaterThanOrEqual(events[2]!.timestampMs);
  });

  it('keeps one span per test when a cancelled run reports its tests once more', () => {
    const sink = fakeSink();
    const reporter = monitorReporter(sink, 'Web');
    const cancelled = fakeTest('answers', 'failed', { startTime: 1000, duration: 10 });
    void reporter.onTestCaseReady!(cancelled);
    void reporter.onTestCaseResult!(cancelled);
    void reporter.onTestCaseReady!(cancelled);
    void reporter.onTestCaseResult!(cancelled);
    expect([...sink.events.values()].map(({ label, color }) => ({ label, color }))).toEqual([
      { label: 'Web > answers', color: '#d62728' },
    ]);
  });

  it('leaves the span out when the monitor refuses it (it stopped), and throws anything else', () => {
    const stopped: MonitorEventSink = {
      addEvent: () => {
        throw new MonitorError('MONITOR_STOPPED', 'The monitor is stopped.');
      },
      updateEvent: () => {
        throw new Error('not reached');
      },
    };
    const reporter = monitorReporter(stopped, 'Web');
    expect(() => reporter.onTestCaseReady!(fakeTest('a', 'passed'))).not.toThrow();
    expect(() => reporter.onTestCaseResult!(fakeTest('a', 'passed'))).not.toThrow();
    const broken = { ...stopped, addEvent: () => ({ id: 'x' }) as MonitorEvent };
    expect(() => monitorReporter(broken, 'Web').onTestCaseResult!(fakeTest('b', 'failed'))).toThrow(
      'not reached',
    );
  });
});
