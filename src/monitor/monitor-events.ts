import { randomBytes } from 'node:crypto';
import { MonitorError } from '../errors.js';
import type {
  EventDash,
  MonitorEvent,
  MonitorEventPatch,
  NewMonitorEvent,
} from './metric-types.js';

/**
 * Events of a monitor: the defaults of a new one, the checks of a change, and the refusals (ending
 * a mark or an ended span, an unknown id), worded the same for code and for the dashboard.
 */

/** The colour of an event given none. */
export const DEFAULT_EVENT_COLOR = '#e4572e';

/** The line styles of events (the API's schemas and the checks here share them). */
export const EVENT_DASHES = [
  'solid',
  'dot',
  'dash',
  'longdash',
  'dashdot',
] as const satisfies readonly EventDash[];
const DASHES: readonly EventDash[] = EVENT_DASHES;

/** A CSS colour as the dashboard draws it: a name, `#rgb[a]`, `#rrggbb[aa]`, `rgb(...)`, `hsl(...)`. */
export const CSS_COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,20}|(rgb|hsl)a?\([0-9.,%\s/]{1,40}\))$/i;

/** Longest label kept: a label is a line on a chart, not a log. */
export const MAX_LABEL_CHARS = 200;

/** A new, random, short event id (12 URL-safe characters). */
export function newEventId(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * The event `input` describes, every default filled: a new id, `nowMs`, a mark (a span when an
 * end is given), source `user`, colour {@link DEFAULT_EVENT_COLOR}, a solid line.
 * @example const event = eventOf({ label: 'deploy' }, Date.now());
 */
export function eventOf(input: NewMonitorEvent, nowMs: number): MonitorEvent {
  const kind = input.kind ?? (input.endTimestampMs === undefined ? 'mark' : 'span');
  const event: MonitorEvent = {
    id: newEventId(),
    kind,
    timestampMs: input.timestampMs ?? nowMs,
    label: input.label,
    source: input.source ?? 'user',
    color: input.color ?? DEFAULT_EVENT_COLOR,
    dash: input.dash ?? 'solid',
  };
  if (input.endTimestampMs !== undefined) event.endTimestampMs = input.endTimestampMs;
  if (input.host !== undefined) event.host = input.host;
  const problems = [...eventProblems(event), ...sourceProblems(input)];
  if (problems.length > 0) throw invalidEvent(`"${String(input.label)}"`, problems);
  return event;
}

/** The span `event` ended at `nowMs` (never before its start); refused for a mark or an ended span. */
export function endedEvent(event: MonitorEvent, nowMs: number): MonitorEvent {
  if (event.kind === 'mark')
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Cannot end the monitor event "${event.label}" (${event.id}): it is a mark, not a span.`,
      { fix: 'only spans (kind "span") have an end.' },
    );
  if (event.endTimestampMs !== undefined)
    throw new MonitorError(
      'MONITOR_OPTIONS',
      `Cannot end the span "${event.label}" (${event.id}): it ended already, at ${new Date(event.endTimestampMs).toISOString()}.`,
      { fix: 'change its end with an update (endTimestampMs) instead.' },
    );
  return { ...event, endTimestampMs: Math.max(nowMs, event.timestampMs) };
}

/** `event` with `patch` applied, checked as a new event is. */
export function patchedEvent(event: MonitorEvent, patch: MonitorEventPatch): MonitorEvent {
  const changed: MonitorEvent = { ...event };
  for (const key of ['label', 'color', 'dash', 'timestampMs', 'endTimestampMs'] as const) {
    if (patch[key] !== undefined) Object.assign(changed, { [key]: patch[key] });
  }
  const problems = eventProblems(changed);
  if (problems.length > 0) throw invalidEvent(`"${event.label}" (${event.id})`, problems);
  return changed;
}

/** The refusal of an id that no event has. */
export function unknownEvent(id: string): MonitorError {
  return new MonitorError('MONITOR_UNKNOWN_EVENT', `No monitor event has the id "${id}".`, {
    fix: 'list the events (GET /api/events, or events()) for their ids.',
  });
}

function eventProblems(event: MonitorEvent): string[] {
  const problems: string[] = [];
  if (typeof event.label !== 'string' || event.label.trim() === '')
    problems.push('the label is empty');
  else if (event.label.length > MAX_LABEL_CHARS)
    problems.push(`the label is longer than ${MAX_LABEL_CHARS} characters`);
  if (!isTime(event.timestampMs))
    problems.push(`the time must be ms since the epoch, got ${JSON.stringify(event.timestampMs)}`);
  problems.push(...endProblems(event));
  if (typeof event.color !== 'string' || !CSS_COLOR.test(event.color))
    problems.push(`the colour must be a CSS colour, got ${JSON.stringify(event.color)}`);
  if (!DASHES.includes(event.dash))
    problems.push(
      `the dash must be one of ${DASHES.join(', ')}, got ${JSON.stringify(event.dash)}`,
    );
  if (event.host !== undefined && (typeof event.host !== 'string' || event.host === ''))
    problems.push('the host must be a host id');
  return problems;
}

function endProblems(event: MonitorEvent): string[] {
  if (event.kind !== 'mark' && event.kind !== 'span')
    return [`the kind must be mark or span, got ${JSON.stringify(event.kind)}`];
  if (event.endTimestampMs === undefined) return [];
  if (event.kind === 'mark') return ['a mark has no end (make it a span)'];
  if (!isTime(event.endTimestampMs))
    return [`the end must be ms since the epoch, got ${JSON.stringify(event.endTimestampMs)}`];
  if (isTime(event.timestampMs) && event.endTimestampMs < event.timestampMs)
    return ['the span ends before it starts'];
  return [];
}

function sourceProblems(input: NewMonitorEvent): string[] {
  if (input.source === undefined || ['manual', 'user', 'auto'].includes(input.source)) return [];
  return [`the source must be manual, user or auto, got ${JSON.stringify(input.source)}`];
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function invalidEvent(what: string, problems: string[]): MonitorError {
  return new MonitorError(
    'MONITOR_OPTIONS',
    `Invalid monitor event ${what}: ${problems.join('; ')}.`,
  );
}
