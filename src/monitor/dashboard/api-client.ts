/**
 * The dashboard's calls to the monitor's API (`api-types.ts`). Paths are relative to the page,
 * so that a dashboard served under a proxy's prefix still works, and each carries the page's own
 * `?token=` when it has one.
 */
import type {
  DataResponse,
  MetaResponse,
  MonitorEvent,
  MonitorEventPatch,
  NewMonitorEvent,
} from '../api-types.js';

/** A refused call: the server's `{ error }` message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Query of one `/api/data` call. */
export interface DataRequest {
  host: string;
  fromMs?: number;
  toMs?: number;
  points: number;
}

/** Calls the API of the server that served the page. */
export class ApiClient {
  private readonly token: string | null;

  constructor(search: string) {
    this.token = new URLSearchParams(search).get('token');
  }

  meta(): Promise<MetaResponse> {
    return this.call('GET', 'api/meta');
  }

  data(request: DataRequest): Promise<DataResponse> {
    const query: Record<string, string> = { host: request.host, points: String(request.points) };
    if (request.fromMs !== undefined) query.from = String(Math.max(0, Math.floor(request.fromMs)));
    if (request.toMs !== undefined) query.to = String(Math.ceil(request.toMs));
    return this.call('GET', 'api/data', query);
  }

  events(): Promise<MonitorEvent[]> {
    return this.call('GET', 'api/events');
  }

  addEvent(input: NewMonitorEvent): Promise<MonitorEvent> {
    return this.call('POST', 'api/events', {}, input);
  }

  endEvent(id: string): Promise<MonitorEvent> {
    return this.call('POST', `api/events/${encodeURIComponent(id)}/end`);
  }

  updateEvent(id: string, patch: MonitorEventPatch): Promise<MonitorEvent> {
    return this.call('PATCH', `api/events/${encodeURIComponent(id)}`, {}, patch);
  }

  async deleteEvent(id: string): Promise<void> {
    await this.call('DELETE', `api/events/${encodeURIComponent(id)}`);
  }

  /** The URL of the event stream. */
  streamUrl(): string {
    return this.url('api/stream');
  }

  /** The URL of the JSON archive download. */
  exportUrl(): string {
    return this.url('api/export');
  }

  private url(path: string, query: Record<string, string> = {}): string {
    const params = new URLSearchParams(query);
    if (this.token !== null) params.set('token', this.token);
    const text = params.toString();
    return text === '' ? path : `${path}?${text}`;
  }

  private async call<T>(
    method: string,
    path: string,
    query: Record<string, string> = {},
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(this.url(path, query), {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as T;
    const answer = (await response.json().catch(() => ({}))) as { error?: string };
    if (!response.ok)
      throw new ApiError(response.status, answer.error ?? `${method} ${path}: ${response.status}`);
    return answer as T;
  }
}
