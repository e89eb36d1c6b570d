/**
 * A MonitorSource made from plain arrays, for the server's and the dashboard's tests: series,
 * samples the test generates or pushes (published to subscribers as the live monitor does),
 * host states and events. Not a mock: it does what a source does, downsampling included (with the
 * store's bucket arithmetic), only without collecting or storing.
 */
import type {
  ApiSeries,
  DataQuery,
  DataResponse,
  MetaResponse,
  StreamMessage,
} from '../../src/monitor/api-types.js';
import type { MonitorSource } from '../../src/monitor/monitor-source.js';
import type {
  HostState,
  MonitorEvent,
  MonitorEventPatch,
  NewMonitorEvent,
  Sample,
  SeriesMeta,
} from '../../src/monitor/metric-types.js';
import { MonitorError } from '../../src/errors.js';
import { BucketAccumulator, chooseBucketMs } from '../../src/monitor/store/downsample.js';

/** The samples of one host that a data query covers: indexes `start` to `end` (excluded). */
interface DataWindow {
  hostId: string;
  host: HostColumns;
  ids: string[];
  start: number;
  end: number;
  fromMs: number;
  toMs: number;
}

interface HostColumns {
  timestamps: number[];
  values: Map<string, Array<number | null>>;
  details: Map<string, Array<Record<string, string | number> | null>>;
}

/** A source over arrays; `push` adds a sample and publishes it. */
export class ArrayMonitorSource implements MonitorSource {
  mode: 'live' | 'replay' = 'live';
  title = 'array monitor';
  intervalMs = 1000;
  /** Refuses event changes with the MonitorError a read-only replay gives. */
  isReadOnly = false;
  readonly states: HostState[] = [];
  readonly eventList: MonitorEvent[] = [];
  private readonly seriesById = new Map<string, ApiSeries>();
  private readonly columns = new Map<string, HostColumns>();
  private readonly listeners = new Set<(message: StreamMessage) => void>();
  private nextEventId = 1;

  constructor(readonly hosts: string[]) {
    for (const host of hosts)
      this.columns.set(host, { timestamps: [], values: new Map(), details: new Map() });
  }

  /** Subscribers now. */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Declares series (published as a `series` message). */
  addSeries(series: readonly SeriesMeta[]): void {
    const added = series.map((one) => ({ ...one, id: `${one.host}/${one.key}` }));
    for (const one of added) this.seriesById.set(one.id, one);
    this.publish({ type: 'series', series: added });
  }

  /** Adds samples without publishing them (history). */
  load(samples: Iterable<Sample>): void {
    for (const sample of samples) this.store(sample);
  }

  /** Adds a sample and publishes it, as a live tick does. */
  push(sample: Sample): void {
    this.store(sample);
    const values = Object.fromEntries(
      Object.entries(sample.values).map(([key, value]) => [`${sample.host}/${key}`, value]),
    );
    const details = sample.details
      ? Object.fromEntries(
          Object.entries(sample.details).map(([key, d]) => [`${sample.host}/${key}`, d]),
        )
      : undefined;
    this.publish({
      type: 'sample',
      host: sample.host,
      timestampMs: sample.timestampMs,
      values,
      details,
    });
  }

  /** Sets a host's state and publishes it. */
  setState(state: HostState): void {
    const index = this.states.findIndex((known) => known.host === state.host);
    if (index === -1) this.states.push(state);
    else this.states[index] = state;
    this.publish({ type: 'host-state', state });
  }

  meta(): MetaResponse {
    const times = [...this.columns.values()].flatMap((host) =>
      host.timestamps.length === 0 ? [] : [host.timestamps[0]!, host.timestamps.at(-1)!],
    );
    return {
      mode: this.mode,
      intervalMs: this.intervalMs,
      hosts: this.hosts,
      states: this.states,
      series: [...this.seriesById.values()],
      fromMs: times.length > 0 ? Math.min(...times) : undefined,
      toMs: times.length > 0 ? Math.max(...times) : undefined,
      title: this.title,
    };
  }

  data(query: DataQuery): DataResponse {
    const host = this.columns.get(query.host)!;
    const fromMs = query.fromMs ?? host.timestamps[0] ?? 0;
    const toMs = query.toMs ?? host.timestamps.at(-1) ?? fromMs;
    const first = host.timestamps.findIndex((t) => t >= fromMs);
    const start = first === -1 ? host.timestamps.length : first;
    let end = start;
    while (end < host.timestamps.length && host.timestamps[end]! <= toMs) end++;
    const ids = [...this.seriesById.values()].filter((s) => s.host === query.host).map((s) => s.id);
    const window = { hostId: query.host, host, ids, start, end, fromMs, toMs };
    const maxPoints = query.maxPoints ?? 2000;
    return end - start <= maxPoints ? this.rawData(window) : this.bucketData(window, maxPoints);
  }

  events(): MonitorEvent[] {
    return [...this.eventList].sort((a, b) => a.timestampMs - b.timestampMs);
  }

  addEvent(input: NewMonitorEvent): MonitorEvent {
    this.refuseWhenReadOnly();
    const event: MonitorEvent = {
      id: `e${this.nextEventId++}`,
      kind: input.kind ?? 'mark',
      timestampMs: input.timestampMs ?? Date.now(),
      endTimestampMs: input.endTimestampMs,
      label: input.label,
      source: input.source ?? 'user',
      color: input.color ?? '#e4572e',
      dash: input.dash ?? 'solid',
      host: input.host,
    };
    this.eventList.push(event);
    this.publish({ type: 'event', event });
    return event;
  }

  endEvent(id: string): MonitorEvent {
    return this.updateEvent(id, { endTimestampMs: Date.now() });
  }

  updateEvent(id: string, patch: MonitorEventPatch): MonitorEvent {
    this.refuseWhenReadOnly();
    const event = this.findEvent(id);
    Object.assign(event, patch);
    this.publish({ type: 'event-updated', event });
    return event;
  }

  deleteEvent(id: string): void {
    this.refuseWhenReadOnly();
    this.eventList.splice(this.eventList.indexOf(this.findEvent(id)), 1);
    this.publish({ type: 'event-deleted', id });
  }

  subscribe(listener: (message: StreamMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async exportJson(out: NodeJS.WritableStream): Promise<void> {
    const archive = { meta: this.meta(), events: this.events() };
    await new Promise<void>((resolve) => out.write(JSON.stringify(archive), () => resolve()));
  }

  private store(sample: Sample): void {
    const host = this.columns.get(sample.host)!;
    const index = host.timestamps.length;
    host.timestamps.push(sample.timestampMs);
    for (const [key, value] of Object.entries(sample.values))
      this.column(host.values, `${sample.host}/${key}`, index)[index] = value;
    for (const [key, detail] of Object.entries(sample.details ?? {}))
      this.column(host.details, `${sample.host}/${key}`, index)[index] = detail;
  }

  private column<T>(
    columns: Map<string, Array<T | null>>,
    id: string,
    length: number,
  ): Array<T | null> {
    let column = columns.get(id);
    if (!column) columns.set(id, (column = new Array<T | null>(length).fill(null)));
    return column;
  }

  private rawData({ hostId, host, ids, start, end, fromMs, toMs }: DataWindow): DataResponse {
    const slice = <T>(column: Array<T | null> | undefined): Array<T | null> =>
      Array.from({ length: end - start }, (_, i) => column?.[start + i] ?? null);
    const details = Object.fromEntries(
      [...host.details].map(([id, column]) => [id, slice(column)]),
    );
    return {
      host: hostId,
      fromMs,
      toMs,
      timestamps: host.timestamps.slice(start, end),
      values: Object.fromEntries(ids.map((id) => [id, slice(host.values.get(id))])),
      details: host.details.size > 0 ? details : undefined,
      bucketMs: 0,
    };
  }

  private bucketData(window: DataWindow, maxPoints: number): DataResponse {
    const { hostId, host, ids, start, end, fromMs, toMs } = window;
    const bucketMs = chooseBucketMs(fromMs, toMs, maxPoints, this.intervalMs);
    const buckets = new BucketAccumulator(fromMs, toMs, bucketMs, ids.length);
    ids.forEach((id, ordinal) => {
      const column = host.values.get(id);
      for (let i = start; i < end; i++) {
        const value = column?.[i];
        if (value !== null && value !== undefined) buckets.add(host.timestamps[i]!, ordinal, value);
      }
    });
    const result = buckets.result();
    const values = Object.fromEntries(ids.map((id, ordinal) => [id, result.columns[ordinal]!]));
    return { host: hostId, fromMs, toMs, timestamps: result.timestamps, values, bucketMs };
  }

  private findEvent(id: string): MonitorEvent {
    const event = this.eventList.find((known) => known.id === id);
    if (!event)
      throw new MonitorError('MONITOR_UNKNOWN_EVENT', `No event "${id}" in this monitor.`);
    return event;
  }

  private refuseWhenReadOnly(): void {
    if (this.isReadOnly)
      throw new MonitorError('MONITOR_STOPPED', 'Cannot change events: this replay is read-only.');
  }

  private publish(message: StreamMessage): void {
    for (const listener of [...this.listeners]) listener(message);
  }
}

/** The series of a host as the built-in parsers name them, roughly: CPU, memory, disk, network. */
export function standardSeries(host: string, cores = 2): SeriesMeta[] {
  const one = (
    key: string,
    label: string,
    tab: string,
    chart: string,
    unit: string,
  ): SeriesMeta => ({
    host,
    key,
    label,
    tab,
    chart,
    unit,
    labels: {},
  });
  return [
    one('cpu.busy', 'busy', 'cpu', 'CPU', '%'),
    ...Array.from({ length: cores }, (_, core) =>
      one(`cpu.${core}.busy`, `cpu${core}`, 'cpu', 'CPU per core', '%'),
    ),
    one('load.1', '1 min', 'cpu', 'Load', ''),
    one('mem.used', 'used', 'memory', 'Memory', '%'),
    one('disk.sda.read', 'sda read', 'disk', 'Disk I/O', 'B/s'),
    one('disk.sda.write', 'sda write', 'disk', 'Disk I/O', 'B/s'),
    one('df./', '/', 'disk', 'Disk use', '%'),
    one('net.eth0.rx', 'eth0 rx', 'network', 'Network', 'B/s'),
    one('net.eth0.tx', 'eth0 tx', 'network', 'Network', 'B/s'),
  ];
}

/** A sample of every series of `series` at `timestampMs`, with smooth made-up values. */
export function sampleAt(host: string, series: readonly SeriesMeta[], timestampMs: number): Sample {
  const phase = timestampMs / 60_000;
  const values = Object.fromEntries(
    series.map((one, index) => {
      const wave = (Math.sin(phase + index) + 1) / 2;
      return [one.key, one.unit === '%' ? 100 * wave : one.unit === 'B/s' ? 1e6 * wave : 2 * wave];
    }),
  );
  return { host, timestampMs, values };
}
