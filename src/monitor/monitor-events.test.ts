import { describe, expect, it } from 'vitest';
import { MonitorError } from '../errors.js';
import { endedEvent, eventOf, patchedEvent, unknownEvent } from './monitor-events.js';

describe('eventOf', () => {
  it('fills every default: a new id, now, a mark, from code, the default colour, solid', () => {
    const event = eventOf({ label: 'deploy' }, 5000);
    expect(event).toEqual({
      id: expect.stringMatching(/^[\w-]{12}$/) as string,
      kind: 'mark',
      timestampMs: 5000,
      label: 'deploy',
      source: 'user',
      color: '#e4572e',
      dash: 'solid',
    });
    expect(eventOf({ label: 'deploy' }, 5000).id).not.toBe(event.id);
  });

  it('makes a span of an event given an end, and keeps what was given', () => {
    expect(
      eventOf(
        {
          label: 'load',
          timestampMs: 10,
          endTimestampMs: 20,
          color: 'rgb(1 2 3)',
          dash: 'dot',
          host: 'db1',
          source: 'manual',
        },
        5000,
      ),
    ).toMatchObject({
      kind: 'span',
      timestampMs: 10,
      endTimestampMs: 20,
      color: 'rgb(1 2 3)',
      dash: 'dot',
      host: 'db1',
      source: 'manual',
    });
  });

  it('refuses, all at once, an empty label, a bad time, an end before the start, a bad colour and dash', () => {
    expect(() =>
      eventOf(
        { label: ' ', timestampMs: 30, endTimestampMs: 20, color: 'url(x)', dash: 'wavy' as 'dot' },
        5000,
      ),
    ).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        'Invalid monitor event " ": the label is empty; the span ends before it starts; the colour must be a CSS colour, got "url(x)"; the dash must be one of solid, dot, dash, longdash, dashdot, got "wavy".',
      ),
    );
    expect(() => eventOf({ label: 'x', kind: 'mark', endTimestampMs: 20 }, 5000)).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        'Invalid monitor event "x": a mark has no end (make it a span).',
      ),
    );
  });
});

describe('endedEvent', () => {
  const span = eventOf({ label: 'load', kind: 'span', timestampMs: 1000 }, 0);

  it('ends an open span now, never before its start', () => {
    expect(endedEvent(span, 4000)).toEqual({ ...span, endTimestampMs: 4000 });
    expect(endedEvent(span, 500).endTimestampMs).toBe(1000);
  });

  it('refuses to end a mark or an ended span', () => {
    const mark = eventOf({ label: 'deploy' }, 0);
    expect(() => endedEvent(mark, 1)).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        `Cannot end the monitor event "deploy" (${mark.id}): it is a mark, not a span.`,
        {
          fix: 'only spans (kind "span") have an end.',
        },
      ),
    );
    expect(() => endedEvent(endedEvent(span, 4000), 5000)).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        `Cannot end the span "load" (${span.id}): it ended already, at 1970-01-01T00:00:04.000Z.`,
        { fix: 'change its end with an update (endTimestampMs) instead.' },
      ),
    );
  });
});

describe('patchedEvent', () => {
  it('changes what the patch gives and checks the result', () => {
    const span = eventOf({ label: 'load', kind: 'span', timestampMs: 1000 }, 0);
    expect(patchedEvent(span, { label: 'heavy load', endTimestampMs: 3000 })).toEqual({
      ...span,
      label: 'heavy load',
      endTimestampMs: 3000,
    });
    expect(() => patchedEvent(span, { endTimestampMs: 10 })).toThrow(
      new MonitorError(
        'MONITOR_OPTIONS',
        `Invalid monitor event "load" (${span.id}): the span ends before it starts.`,
      ),
    );
  });

  it('names an unknown id', () => {
    expect(unknownEvent('abc')).toEqual(
      new MonitorError('MONITOR_UNKNOWN_EVENT', 'No monitor event has the id "abc".', {
        fix: 'list the events (GET /api/events, or events()) for their ids.',
      }),
    );
  });
});
