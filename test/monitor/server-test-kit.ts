import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach } from 'vitest';
import { waitUntil } from '../../src/common/deadline.js';
import { SILENT_LOGGER } from '../../src/common/logger.js';
import {
  startMonitorServer,
  type MonitorServer,
  type MonitorServerOptions,
} from '../../src/monitor/server/monitor-server.js';
import { ArrayMonitorSource, sampleAt, standardSeries } from './array-monitor-source.js';

// What the server's tests share: a small source, servers closed after each test, raw requests
// and the event stream read from this side.

const opened: MonitorServer[] = [];

// Registered when a test file imports this kit, so on that file's own suite.
afterEach(async () => {
  await Promise.all(opened.splice(0).map((server) => server.close()));
});

/** Two hosts, web1 with the standard series and three samples, db1 with none. */
export function makeSource(): ArrayMonitorSource {
  const source = new ArrayMonitorSource(['web1', 'db1']);
  const series = standardSeries('web1');
  source.addSeries(series);
  source.load(
    [0, 1, 2].map((second) => sampleAt('web1', series, 1_700_000_000_000 + second * 1000)),
  );
  return source;
}

/** Serves `source`; the server is closed when the test ends. */
export async function serve(
  source = makeSource(),
  options: MonitorServerOptions = {},
): Promise<MonitorServer> {
  const server = await startMonitorServer(source, { logger: SILENT_LOGGER, ...options });
  opened.push(server);
  return server;
}

/** An answer, read whole. */
export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: () => unknown;
}

/** Headers of a JSON body. */
export const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** One request with the path sent as written (no normalising of `..`). */
export function call(
  server: MonitorServer,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      { host: '127.0.0.1', port: server.port, method, path, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = (): unknown => JSON.parse(text);
          resolve({ status: response.statusCode!, headers: response.headers, text, json });
        });
      },
    );
    sent.on('error', reject);
    sent.end(options.body);
  });
}

/** Waits (polling every 20 ms, 10 s at most) until `condition` holds on this side. */
export function until(condition: () => boolean, what: string): Promise<boolean> {
  return waitUntil(() => Promise.resolve(condition() ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 20,
    what,
  });
}

/** Opens the event stream; collects what it sends. */
export function openStream(
  server: MonitorServer,
): Promise<{ response: IncomingMessage; text: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      { host: '127.0.0.1', port: server.port, path: '/api/stream' },
      (response) => {
        let text = '';
        const ended = new Promise<void>((done) => response.on('close', done));
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        resolve({ response, text: () => text, ended });
      },
    );
    sent.on('error', reject);
    sent.end();
  });
}
