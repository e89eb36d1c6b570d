/**
 * The monitor's vocabulary, shared by its parsers, collector, store, server and dashboard.
 *
 * A **series** is one metric of one host over time (`web1` / `cpu.busy`). A **sample** is what one
 * tick read from one host: a value for each of its series, at the tick's timestamp (every host of
 * a tick shares it). An **event** is a mark (an instant) or a span (a start and an end) drawn over
 * the charts. A host's **state** says whether its last tick succeeded.
 */

/** Where a series is drawn: its tab, its chart (one chart per group) and how its values read. */
export interface SeriesPlacement {
  /** Dashboard tab: `cpu`, `memory`, `disk`, `network`, or a custom one. */
  tab: string;
  /** Chart group within the tab: series of one chart share it (`CPU`, `Disk I/O`). */
  chart: string;
  /** Unit of the values: `%`, `B/s`, `` (none). */
  unit: string;
}

/** One metric of one host over time, with everything the dashboard needs to draw it. */
export interface SeriesMeta extends SeriesPlacement {
  /** The host's id. */
  host: string;
  /** Key within the host, stable across ticks: `cpu.busy`, `net.eth0.rx`, `df./var`. */
  key: string;
  /** Legend label: `busy`, `eth0 rx`, `/var`. */
  label: string;
  /** What the series is about, for filtering: `{ interface: 'eth0' }`, `{ core: '1' }`. */
  labels: Record<string, string>;
}

/** Hover text of one point: field name to value (a process's command, user, RSS...). */
export type PointDetail = Record<string, string | number>;

/** What one tick read from one host. */
export interface Sample {
  /** The host read. */
  host: string;
  /** The tick's timestamp (every host of a tick shares it), ms since the epoch. */
  timestampMs: number;
  /** Value of each series read, by series key. A series absent from a tick has no point there. */
  values: Record<string, number>;
  /** Hover text of some points, by series key. */
  details?: Record<string, PointDetail>;
}

/** Line style of an event. */
export type EventDash = 'solid' | 'dot' | 'dash' | 'longdash' | 'dashdot';

/** Who made an event: the dashboard (`manual`), code (`user`: suites, the API), otto (`auto`). */
export type EventSource = 'manual' | 'user' | 'auto';

/** A mark (an instant) or a span (start to end) drawn over the charts. */
export interface MonitorEvent {
  /** Unique within a database. */
  id: string;
  /** An instant (`mark`) or a stretch of time (`span`). */
  kind: 'mark' | 'span';
  /** When it happened or started, ms since the epoch. */
  timestampMs: number;
  /** When a span ended; undefined while a span is open, and for marks. */
  endTimestampMs?: number;
  /** What it says on the chart. */
  label: string;
  /** Who made it. */
  source: EventSource;
  /** CSS colour. @default '#e4572e' */
  color: string;
  /** Line style. @default 'solid' */
  dash: EventDash;
  /** The host it concerns, when only one. */
  host?: string;
}

/** What may be given to add an event; the rest gets defaults (now, a new id, `user`). */
export interface NewMonitorEvent {
  /** What it says on the chart. */
  label: string;
  /** @default 'span' when an end is given, else 'mark' */
  kind?: 'mark' | 'span';
  /** @default now */
  timestampMs?: number;
  /** The end of a span; @default none (an open span, ended later) */
  endTimestampMs?: number;
  /** @default 'user' */
  source?: EventSource;
  /** CSS colour. @default '#e4572e' */
  color?: string;
  /** @default 'solid' */
  dash?: EventDash;
  /** The host it concerns, when only one. @default none */
  host?: string;
}

/** What may be changed in an event. */
export type MonitorEventPatch = Partial<
  Pick<MonitorEvent, 'label' | 'color' | 'dash' | 'timestampMs' | 'endTimestampMs'>
>;

/** Whether a host's last tick read it: a slow or unreachable host is `down` until it answers. */
export interface HostState {
  /** The host's id. */
  host: string;
  /** The tick at which it changed, ms since the epoch. */
  timestampMs: number;
  /** `up` when its last tick read it. */
  status: 'up' | 'down';
  /** Why it is down (the error's first line). */
  reason?: string;
}

/** A value read by a {@link MetricParser}, for one series of the host. */
export interface MetricReading extends Partial<SeriesPlacement> {
  /** Series key within the host, e.g. `queue.depth`. */
  key: string;
  /** The value read (a finite number; anything else is refused as the parser's error). */
  value: number;
  /** Legend label. @default the key */
  label?: string;
  /** What the series is about, for filtering. @default none */
  labels?: Record<string, string>;
  /** Hover text of this point. */
  detail?: PointDetail;
}

/** What a parser gets besides its command's output. */
export interface ParseContext {
  /** The host read. */
  readonly host: string;
  /** The tick's timestamp. */
  readonly timestampMs: number;
  /**
   * The counter's growth since this host's previous reading of `key`: undefined on the first
   * reading (a baseline) and when the counter went backwards (a reboot or a wrap), so that no
   * spike is drawn; the new value becomes the baseline either way.
   */
  delta(key: string, counter: number): number | undefined;
  /** {@link delta} per second of time between the two readings. */
  rate(key: string, counter: number): number | undefined;
}

/**
 * Reads metrics from a host: a shell command run on it each tick (all parsers of a host share one
 * `oneshot`), and a function turning its output into readings.
 * @example
 * registerHostParsers('db1', [
 *   defineMetricParser({
 *     name: 'connections',
 *     command: 'ss -Htn state established | wc -l',
 *     tab: 'database', chart: 'Connections', unit: '',
 *     parse: (output) => [{ key: 'tcp.established', value: Number(output.trim()) }],
 *   }),
 * ]);
 */
export interface MetricParser extends Partial<SeriesPlacement> {
  /** Unique among a host's parsers: letters, digits, `-` and `_`. */
  name: string;
  /** Shell command whose standard output `parse` reads; its exit status is ignored. */
  command: string;
  /** Turns the command's output into readings; placement defaults come from the parser. */
  parse(output: string, context: ParseContext): readonly MetricReading[];
}
