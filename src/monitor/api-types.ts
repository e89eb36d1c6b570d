/**
 * The monitor's HTTP API, as JSON: what the server answers and what the dashboard reads. The
 * dashboard imports these types and nothing else of the monitor.
 *
 *   GET    /api/meta                      MetaResponse
 *   GET    /api/data?host&from&to&points  DataResponse (columnar, downsampled past `points`)
 *   GET    /api/events                    MonitorEvent[]
 *   POST   /api/events                    NewMonitorEvent -> MonitorEvent (server clock by default)
 *   POST   /api/events/:id/end            -> MonitorEvent (ends a span at the server's clock)
 *   PATCH  /api/events/:id                MonitorEventPatch -> MonitorEvent
 *   DELETE /api/events/:id                -> 204
 *   GET    /api/stream                    text/event-stream of StreamMessage (one JSON per `data:`)
 *   GET    /api/export                    the JSON archive (a download)
 *
 * When a token is required (bound beyond loopback), every request carries `?token=` (or an
 * `Authorization: Bearer` header); the dashboard passes on the one of its own URL.
 */
import type {
  HostState,
  MonitorEvent,
  MonitorEventPatch,
  NewMonitorEvent,
  SeriesMeta,
} from './metric-types.js';

export type { HostState, MonitorEvent, MonitorEventPatch, NewMonitorEvent, SeriesMeta };

/** Series of a host, with the id the API uses for each (`<host>/<key>`). */
export interface ApiSeries extends SeriesMeta {
  /** `<host>/<key>`: the key of its values in {@link DataResponse} and stream samples. */
  id: string;
}

/** `GET /api/meta`: what the dashboard needs to lay itself out. */
export interface MetaResponse {
  /** `live` while collecting; `replay` when showing a file. */
  mode: 'live' | 'replay';
  /** Tick period, ms. */
  intervalMs: number;
  /** Host ids, in the order given. */
  hosts: string[];
  /** Last known state of each host. */
  states: HostState[];
  /** Every series of every host, in order of first appearance. */
  series: ApiSeries[];
  /** First sample time over all hosts; undefined before the first sample. */
  fromMs?: number;
  /** Last sample time over all hosts; undefined before the first sample. */
  toMs?: number;
  /** A title: the lab's name, the file's name. */
  title: string;
}

/** `GET /api/data`: one host's series over a time range, as columns (what uPlot draws). */
export interface DataResponse {
  /** The host the series are of. */
  host: string;
  /** Start of the range answered, ms since the epoch. */
  fromMs: number;
  /** End of the range answered, ms since the epoch. */
  toMs: number;
  /** Sample times (bucket starts when downsampled), ms. */
  timestamps: number[];
  /** Values by series id, aligned with `timestamps`; null where a series has no point. */
  values: Record<string, Array<number | null>>;
  /** Hover text by series id, aligned with `timestamps` (only when not downsampled). */
  details?: Record<string, Array<Record<string, string | number> | null>>;
  /** Width of a bucket in ms when points were averaged per bucket; 0 when every point is here. */
  bucketMs: number;
}

/** Query of `GET /api/data`. */
export interface DataQuery {
  /** The host whose series to read. */
  host: string;
  /** @default the first sample */
  fromMs?: number;
  /** @default the last sample */
  toMs?: number;
  /** Most points per series to return; more are averaged per time bucket. @default 2000 */
  maxPoints?: number;
}

/** One message of `GET /api/stream`. */
export type StreamMessage =
  | { type: 'series'; series: ApiSeries[] }
  | {
      type: 'sample';
      host: string;
      timestampMs: number;
      /** By series id. */
      values: Record<string, number>;
      details?: Record<string, Record<string, string | number>>;
    }
  | { type: 'host-state'; state: HostState }
  | { type: 'event'; event: MonitorEvent }
  | { type: 'event-updated'; event: MonitorEvent }
  | { type: 'event-deleted'; id: string }
  | { type: 'mode'; mode: 'live' | 'replay' };
