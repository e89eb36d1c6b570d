/**
 * The JSON API of the monitor's server (routes as in `api-types.ts`): each route checks its
 * input, calls the {@link MonitorSource} and answers. The source's refusals become statuses: an
 * unknown event 404, any other `MonitorError` (a change refused by a replay, a stopped
 * monitor) 409, with the error's message.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MonitorError } from '../../errors.js';
import type { MonitorSource } from '../monitor-source.js';
import { parseDataQuery, parseEventPatch, parseNewEvent } from './api-schemas.js';
import type { EventStreams } from './event-streams.js';
import {
  HttpProblem,
  readJsonBody,
  SECURITY_HEADERS,
  sendEmpty,
  sendJson,
} from './http-replies.js';

/** What the routes work with. */
export interface ApiContext {
  source: MonitorSource;
  streams: EventStreams;
}

type Handler = (call: ApiCall) => Promise<void> | void;

interface ApiCall extends ApiContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** The `:id` of the path, decoded. */
  id: string;
}

interface Route {
  method: string;
  path: RegExp;
  handle: Handler;
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/meta$/,
    handle: (c) => sendJson(c.response, 200, c.source.meta()),
  },
  { method: 'GET', path: /^\/api\/data$/, handle: getData },
  {
    method: 'GET',
    path: /^\/api\/events$/,
    handle: (c) => sendJson(c.response, 200, c.source.events()),
  },
  { method: 'POST', path: /^\/api\/events$/, handle: addEvent },
  { method: 'POST', path: /^\/api\/events\/([^/]+)\/end$/, handle: endEvent },
  { method: 'PATCH', path: /^\/api\/events\/([^/]+)$/, handle: updateEvent },
  { method: 'DELETE', path: /^\/api\/events\/([^/]+)$/, handle: deleteEvent },
  { method: 'GET', path: /^\/api\/stream$/, handle: (c) => c.streams.open(c.request, c.response) },
  { method: 'GET', path: /^\/api\/export$/, handle: exportArchive },
];

/** Answers a request under `/api/`: 404 for an unknown path, 405 for a method it does not take. */
export async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ApiContext,
): Promise<void> {
  const matching = ROUTES.filter((route) => route.path.test(url.pathname));
  if (matching.length === 0) throw new HttpProblem(404, `no such API: ${url.pathname}`);
  const route = matching.find((candidate) => candidate.method === request.method);
  if (!route) {
    const allowed = matching.map((candidate) => candidate.method).join(', ');
    throw new HttpProblem(405, `${request.method} is not allowed on ${url.pathname}`, {
      Allow: allowed,
    });
  }
  try {
    const id = decodeURIComponent(route.path.exec(url.pathname)?.[1] ?? '');
    await route.handle({ ...context, request, response, url, id });
  } catch (error) {
    throw asHttpProblem(error);
  }
}

function getData(call: ApiCall): void {
  const query = parseDataQuery(call.url.searchParams);
  checkHost(call.source, query.host, 'host');
  sendJson(call.response, 200, call.source.data(query));
}

async function addEvent(call: ApiCall): Promise<void> {
  const input = parseNewEvent(await readJsonBody(call.request));
  if (input.host !== undefined) checkHost(call.source, input.host, 'host');
  sendJson(call.response, 201, call.source.addEvent(input));
}

function endEvent(call: ApiCall): void {
  sendJson(call.response, 200, call.source.endEvent(call.id));
}

async function updateEvent(call: ApiCall): Promise<void> {
  const patch = parseEventPatch(await readJsonBody(call.request));
  sendJson(call.response, 200, call.source.updateEvent(call.id, patch));
}

function deleteEvent(call: ApiCall): void {
  call.source.deleteEvent(call.id);
  sendEmpty(call.response, 204);
}

async function exportArchive(call: ApiCall): Promise<void> {
  call.response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Disposition': `attachment; filename="${exportFileName(call.source.meta().title)}"`,
    'Cache-Control': 'no-store',
  });
  try {
    await call.source.exportJson(call.response);
    call.response.end();
  } catch (error) {
    // The status is sent already: cutting the download is the only way left to say it failed.
    call.response.destroy(error as Error);
  }
}

/** `otto-monitor-web-lab-20240501-101500.json`: the title, then the time of the export. */
export function exportFileName(title: string, now = new Date()): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${slug || 'otto-monitor'}-${stamp}.json`;
}

function checkHost(source: MonitorSource, host: string, field: string): void {
  const hosts = source.meta().hosts;
  if (hosts.includes(host)) return;
  const known = hosts.length > 0 ? hosts.map((id) => `"${id}"`).join(', ') : 'none';
  throw new HttpProblem(400, `${field}: unknown host "${host}"; the hosts are ${known}`);
}

function asHttpProblem(error: unknown): unknown {
  if (error instanceof URIError)
    return new HttpProblem(400, 'the event id is not a valid URL part');
  if (!(error instanceof MonitorError)) return error;
  return new HttpProblem(error.code === 'MONITOR_UNKNOWN_EVENT' ? 404 : 409, error.message);
}
