/**
 * Checks of what a JSON archive holds, element by element, so that an import names the element
 * and field that is wrong (`samples[12] at line 40, column 1: "timestampMs" is not a number`).
 * Hand-written rather than zod: an archive of a day of ten hosts has 864,000 samples.
 */
import type { HostState, MonitorEvent, PointDetail, Sample, SeriesMeta } from '../metric-types.js';
import { importInvalid } from './json-archive-scanner.js';
import type { StoreInfo } from './run-records.js';

const DASHES = new Set(['solid', 'dot', 'dash', 'longdash', 'dashdot']);
const SOURCES = new Set(['manual', 'user', 'auto']);

/** Where an element is, for messages (`samples[3] at line 9, column 1`), computed only for one. */
export type ArchivePlace = () => string;

type Fields = Record<string, unknown>;

/** Checks the parts of one archive, named `name` in its messages. */
export class ArchiveChecker {
  constructor(private readonly name: string) {}

  info(value: unknown, place: ArchivePlace): StoreInfo | undefined {
    if (value === null) return undefined;
    const fields = this.fields(value, place);
    return {
      intervalMs: this.number(fields, 'intervalMs', place),
      title: this.string(fields, 'title', place),
      startedAtMs: this.number(fields, 'startedAtMs', place),
      version: this.string(fields, 'version', place),
    };
  }

  host(value: unknown, place: ArchivePlace): string {
    if (typeof value !== 'string' || value === '') this.fail(place, 'is not a host name');
    return value;
  }

  series(value: unknown, place: ArchivePlace): SeriesMeta {
    const fields = this.fields(value, place);
    const [host, key, label, chart, unit, tab] = [
      'host',
      'key',
      'label',
      'chart',
      'unit',
      'tab',
    ].map((field) => this.string(fields, field, place)) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const labels = this.fields(fields.labels, place, '"labels"');
    for (const [name, text] of Object.entries(labels)) {
      if (typeof text !== 'string') this.fail(place, `label "${name}" is not a string`);
    }
    return { host, key, label, chart, unit, tab, labels: labels as Record<string, string> };
  }

  state(value: unknown, place: ArchivePlace): HostState {
    const fields = this.fields(value, place);
    const status = this.string(fields, 'status', place);
    if (status !== 'up' && status !== 'down')
      this.fail(place, '"status" is neither "up" nor "down"');
    const state: HostState = {
      host: this.string(fields, 'host', place),
      timestampMs: this.number(fields, 'timestampMs', place),
      status,
    };
    if (fields.reason !== undefined) state.reason = this.string(fields, 'reason', place);
    return state;
  }

  event(value: unknown, place: ArchivePlace): MonitorEvent {
    const fields = this.fields(value, place);
    const kind = this.string(fields, 'kind', place);
    if (kind !== 'mark' && kind !== 'span') this.fail(place, '"kind" is neither "mark" nor "span"');
    const event: MonitorEvent = {
      id: this.string(fields, 'id', place),
      kind,
      timestampMs: this.number(fields, 'timestampMs', place),
      label: this.string(fields, 'label', place),
      source: this.oneOf(fields, 'source', SOURCES, place) as MonitorEvent['source'],
      color: this.string(fields, 'color', place),
      dash: this.oneOf(fields, 'dash', DASHES, place) as MonitorEvent['dash'],
    };
    if (fields.endTimestampMs !== undefined) {
      event.endTimestampMs = this.number(fields, 'endTimestampMs', place);
    }
    if (fields.host !== undefined) event.host = this.string(fields, 'host', place);
    return event;
  }

  sample(value: unknown, place: ArchivePlace): Sample {
    const fields = this.fields(value, place);
    const values = this.fields(fields.values, place, '"values"');
    for (const [key, number] of Object.entries(values)) {
      if (typeof number !== 'number') this.fail(place, `the value of "${key}" is not a number`);
    }
    const sample: Sample = {
      host: this.string(fields, 'host', place),
      timestampMs: this.number(fields, 'timestampMs', place),
      values: values as Record<string, number>,
    };
    if (fields.details !== undefined) {
      const details = this.fields(fields.details, place, '"details"');
      for (const [key, detail] of Object.entries(details))
        this.fields(detail, place, `the details of "${key}"`);
      sample.details = details as Record<string, PointDetail>;
    }
    return sample;
  }

  /** Fails with a message naming the archive, the element and what is wrong. */
  fail(place: ArchivePlace, why: string): never {
    throw importInvalid(this.name, `${place()}: ${why}`);
  }

  private fields(value: unknown, place: ArchivePlace, what = 'it'): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(place, `${what} is not an object`);
    }
    return value as Fields;
  }

  private string(fields: Fields, field: string, place: ArchivePlace): string {
    const value = fields[field];
    if (typeof value !== 'string') this.fail(place, `"${field}" is not a string`);
    return value;
  }

  private number(fields: Fields, field: string, place: ArchivePlace): number {
    const value = fields[field];
    if (typeof value !== 'number') this.fail(place, `"${field}" is not a number`);
    return value;
  }

  private oneOf(fields: Fields, field: string, allowed: Set<string>, place: ArchivePlace): string {
    const value = this.string(fields, field, place);
    if (!allowed.has(value))
      this.fail(place, `"${field}" is not one of ${[...allowed].join(', ')}`);
    return value;
  }
}
