import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { MonitorError } from '../../src/errors.js';
import type { MonitorEvent } from '../../src/monitor/metric-types.js';
import { startMonitorServer } from '../../src/monitor/server/monitor-server.js';
import { dashboardDirectory } from '../../src/monitor/server/static-files.js';
import { call, JSON_HEADERS, makeSource, serve } from './server-test-kit.js';

// The HTTP side of the monitor's server against a real socket: routes, validation, access and
// static files. The dashboard's files come from dist/: run `npm run build` first.

describe('the API', () => {
  test("GET /api/meta answers the source's meta with the security headers", async () => {
    const source = makeSource();
    const server = await serve(source);
    const answer = await call(server, 'GET', '/api/meta');
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual(JSON.parse(JSON.stringify(source.meta())) as unknown);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  test('GET /api/data checks host, from, to and points, naming the parameter', async () => {
    const server = await serve();
    const cases: Array<[string, string]> = [
      ['/api/data', 'host: is required'],
      ['/api/data?host=nope', 'host: unknown host "nope"; the hosts are "web1", "db1"'],
      ['/api/data?host=web1&points=20000', 'points: expected at most 10000, got 20000'],
      ['/api/data?host=web1&points=0', 'points: expected at least 1, got 0'],
      ['/api/data?host=web1&from=yesterday', 'from: expected a whole number, got "yesterday"'],
      ['/api/data?host=web1&from=10&to=5', 'to: must not be before from (10), got 5'],
    ];
    for (const [path, error] of cases) {
      const answer = await call(server, 'GET', path);
      expect({ path, status: answer.status, body: answer.json() }).toEqual({
        path,
        status: 400,
        body: { error },
      });
    }
    const data = (await call(server, 'GET', '/api/data?host=web1&points=2')).json() as {
      timestamps: number[];
      bucketMs: number;
    };
    expect(data.timestamps).toHaveLength(2);
    expect(data.bucketMs).toBe(2000);
  });

  test('events are added, ended, changed and deleted; bad bodies are refused with the field named', async () => {
    const source = makeSource();
    const server = await serve(source);
    const added = await call(server, 'POST', '/api/events', {
      headers: JSON_HEADERS,
      body: '{"label":"deploy","kind":"span"}',
    });
    expect(added.status).toBe(201);
    const event = added.json() as MonitorEvent;
    expect(source.eventList).toEqual([event]);
    const ended = (await call(server, 'POST', `/api/events/${event.id}/end`)).json();
    expect(ended).toEqual({ ...event, endTimestampMs: source.eventList[0]!.endTimestampMs });
    expect(source.eventList[0]!.endTimestampMs).toBeGreaterThanOrEqual(event.timestampMs);
    const patched = await call(server, 'PATCH', `/api/events/${event.id}`, {
      headers: JSON_HEADERS,
      body: '{"label":"deploy v2","dash":"dot"}',
    });
    expect(patched.json()).toMatchObject({ label: 'deploy v2', dash: 'dot' });
    expect((await call(server, 'DELETE', `/api/events/${event.id}`)).status).toBe(204);
    expect(source.eventList).toEqual([]);
    const unknown = await call(server, 'DELETE', `/api/events/${event.id}`);
    expect({ status: unknown.status, body: unknown.json() }).toEqual({
      status: 404,
      body: { error: `No event "${event.id}" in this monitor.` },
    });
  });

  test('bad event bodies get 400, 413 or 415 with a JSON error', async () => {
    const server = await serve();
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['{"kind":"mark"}', JSON_HEADERS, 400, 'label: is required'],
      [
        '{"label":"x","colour":"red"}',
        JSON_HEADERS,
        400,
        'body: unknown field "colour"; did you mean "color"?',
      ],
      [
        '{"label":"x","dash":"wavy"}',
        JSON_HEADERS,
        400,
        'dash: expected one of "solid", "dot", "dash", "longdash", "dashdot", got "wavy"',
      ],
      [
        '{"label":"x","timestampMs":-1}',
        JSON_HEADERS,
        400,
        'timestampMs: expected at least 0, got -1',
      ],
      [
        '{"label":"x","host":"nope"}',
        JSON_HEADERS,
        400,
        'host: unknown host "nope"; the hosts are "web1", "db1"',
      ],
      ['[1]', JSON_HEADERS, 400, 'body: expected a JSON object'],
      ['{"label":', JSON_HEADERS, 400, 'body: not valid JSON (Unexpected end of JSON input)'],
      [
        '{"label":"x"}',
        { 'Content-Type': 'text/plain' },
        415,
        'body: expected Content-Type application/json, got "text/plain"',
      ],
      [
        JSON.stringify({ label: 'x'.repeat(70_000) }),
        JSON_HEADERS,
        413,
        'body: larger than 64 KiB',
      ],
    ];
    for (const [body, headers, status, error] of cases) {
      const answer = await call(server, 'POST', '/api/events', { body, headers });
      expect({ status: answer.status, body: answer.json() }).toEqual({ status, body: { error } });
    }
    const patch = await call(server, 'PATCH', '/api/events/e1', {
      headers: JSON_HEADERS,
      body: '{}',
    });
    expect(patch.json()).toEqual({
      error: 'body: expected at least one of label, color, dash, timestampMs, endTimestampMs',
    });
  });

  test('a change the source refuses (a read-only replay) is a 409 with its message', async () => {
    const source = makeSource();
    source.isReadOnly = true;
    const server = await serve(source);
    const answer = await call(server, 'POST', '/api/events', {
      headers: JSON_HEADERS,
      body: '{"label":"x"}',
    });
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 409,
      body: { error: 'Cannot change events: this replay is read-only.' },
    });
  });

  test('unknown paths are 404 and wrong methods 405 with Allow', async () => {
    const server = await serve();
    const missing = await call(server, 'GET', '/api/nothing');
    expect({ status: missing.status, body: missing.json() }).toEqual({
      status: 404,
      body: { error: 'no such API: /api/nothing' },
    });
    const wrong = await call(server, 'PUT', '/api/events');
    expect({ status: wrong.status, allow: wrong.headers.allow, body: wrong.json() }).toEqual({
      status: 405,
      allow: 'GET, POST',
      body: { error: 'PUT is not allowed on /api/events' },
    });
  });

  test('GET /api/export downloads the archive as an attachment', async () => {
    const source = makeSource();
    source.title = 'Web lab';
    const server = await serve(source);
    const answer = await call(server, 'GET', '/api/export');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-disposition']).toMatch(
      /^attachment; filename="web-lab-\d{8}-\d{6}\.json"$/,
    );
    expect(answer.json()).toEqual({
      meta: JSON.parse(JSON.stringify(source.meta())) as unknown,
      events: [],
    });
  });
});

describe('static files', () => {
  test('the page, its modules and uPlot are served with their types; no traversal', async () => {
    const server = await serve();
    const page = await call(server, 'GET', '/');
    expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.text).toContain('<script type="module" src="static/main.js"></script>');
    const main = await call(server, 'GET', '/static/main.js');
    expect([main.status, main.headers['content-type'], main.headers['cache-control']]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'no-cache',
    ]);
    const uplot = await call(server, 'GET', '/static/vendor/uPlot.iife.min.js');
    expect([uplot.status, uplot.text.includes('uPlot')]).toEqual([200, true]);
    expect(
      (await call(server, 'GET', '/static/vendor/uPlot.min.css')).headers['content-type'],
    ).toBe('text/css; charset=utf-8');
    for (const path of [
      '/static/../../package.json',
      '/static/%2e%2e/%2e%2e/package.json',
      '/static/..%2f..%2fpackage.json',
      '/static/vendor/../../../package.json',
    ]) {
      const answer = await call(server, 'GET', path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
    }
    // Every module is preloaded, so that the page does not find its imports level by level.
    const modules = (await readdir(dashboardDirectory())).filter((name) => name.endsWith('.js'));
    for (const name of modules.filter((one) => one !== 'main.js'))
      expect(page.text).toContain(`<link rel="modulepreload" href="static/${name}" />`);
    const again = await call(server, 'GET', '/static/main.js', {
      headers: { 'If-None-Match': main.headers.etag! },
    });
    expect(again.status).toBe(304);
  });
});

describe('access', () => {
  test('bound beyond loopback, a token is required: 401 without it, query, header or cookie let in', async () => {
    const server = await serve(makeSource(), { bind: '0.0.0.0' });
    const token = new URL(server.url).searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const none = await call(server, 'GET', '/api/meta');
    expect({ status: none.status, body: none.json() }).toEqual({
      status: 401,
      body: {
        error:
          'an access token is required: open the URL the monitor printed (it ends in ?token=...)',
      },
    });
    const wrong = await call(server, 'GET', '/api/meta?token=nope');
    expect(wrong.json()).toEqual({
      error: 'the access token is wrong: open the URL the monitor printed (it ends in ?token=...)',
    });
    expect((await call(server, 'GET', '/', { headers: {} })).status).toBe(401);
    expect(
      (await call(server, 'GET', '/api/meta', { headers: { Authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
    const page = await call(server, 'GET', `/?token=${token}`);
    expect(page.headers['set-cookie']).toEqual([
      `otto-monitor-${server.port}=${token}; Path=/; HttpOnly; SameSite=Strict`,
    ]);
    const withCookie = await call(server, 'GET', '/static/main.js', {
      headers: { Cookie: `otto-monitor-${server.port}=${token}` },
    });
    expect(withCookie.status).toBe(200);
  });

  test('without a token, a Host header that is not this machine is refused (DNS rebinding)', async () => {
    const server = await serve();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const answer = await call(server, 'GET', '/api/meta', { headers: { Host: 'evil.example:80' } });
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 403,
      body: {
        error:
          'the Host header "evil.example:80" is not this machine\'s: without an access token only 127.0.0.1 and localhost are served',
      },
    });
    expect(
      (await call(server, 'GET', '/api/meta', { headers: { Host: `localhost:${server.port}` } }))
        .status,
    ).toBe(200);
  });

  test('a port in use and an address not on this machine are refused with what to do', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const inUse = await startMonitorServer(makeSource(), { port }).catch(
        (error: unknown) => error,
      );
      expect(inUse).toBeInstanceOf(MonitorError);
      expect((inUse as MonitorError).code).toBe('MONITOR_LISTEN_FAILED');
      expect((inUse as Error).message).toBe(
        `Cannot listen on 127.0.0.1:${port}: the port is in use.\nFix: choose another --port, or 0 for any free one`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    const foreign = await startMonitorServer(makeSource(), { bind: '192.0.2.1', port: 8080 }).catch(
      (error: unknown) => error,
    );
    expect((foreign as Error).message).toBe(
      'Cannot listen on 192.0.2.1:8080: the address is not on this machine.\nFix: choose an address of this machine for --bind (127.0.0.1, or 0.0.0.0 for all of them)',
    );
  });
});
