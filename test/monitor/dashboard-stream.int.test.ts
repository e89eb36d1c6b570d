import { describe, expect, test } from 'vitest';
import { makeSource, openStream, serve, until } from './server-test-kit.js';

// The server's event stream (`/api/stream`) read from this side: framing, keepalives, slow
// clients and closing.

describe('the event stream', () => {
  test('sends a retry hint, keepalives and one data line per message; unsubscribes when the client goes', async () => {
    const source = makeSource();
    const server = await serve(source, { keepaliveMs: 50 });
    const stream = await openStream(server);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await until(() => source.subscriberCount === 1, 'the stream to subscribe');
    source.push({ host: 'web1', timestampMs: 1_700_000_010_000, values: { 'cpu.busy': 12.5 } });
    await until(
      () => stream.text().includes(': keepalive\n\n') && stream.text().includes('data: '),
      'a keepalive and a data line',
    );
    expect(stream.text().startsWith('retry: 2000\n\n')).toBe(true);
    const data = stream
      .text()
      .split('\n')
      .filter((line) => line.startsWith('data: '));
    expect(data.map((line): unknown => JSON.parse(line.slice(6)))).toEqual([
      {
        type: 'sample',
        host: 'web1',
        timestampMs: 1_700_000_010_000,
        values: { 'web1/cpu.busy': 12.5 },
      },
    ]);
    stream.response.destroy();
    await until(() => source.subscriberCount === 0, 'the stream to unsubscribe');
  });

  test('a client that does not read is dropped once its queue passes the bound', async () => {
    const source = makeSource();
    const server = await serve(source, { maxStreamBufferBytes: 256 * 1024 });
    const stream = await openStream(server);
    stream.response.pause();
    await until(() => source.subscriberCount === 1, 'the stream to subscribe');
    const big = { command: 'x'.repeat(64 * 1024) };
    for (let index = 0; index < 4000 && source.subscriberCount > 0; index++) {
      source.push({
        host: 'web1',
        timestampMs: 1_700_000_100_000 + index,
        values: { 'cpu.busy': 1 },
        details: { 'cpu.busy': big },
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(source.subscriberCount).toBe(0);
    stream.response.destroy();
  });

  test('close ends open streams, is bounded and idempotent', async () => {
    const source = makeSource();
    const server = await serve(source);
    const stream = await openStream(server);
    await until(() => source.subscriberCount === 1, 'the stream to subscribe');
    const startMs = Date.now();
    await Promise.all([server.close(), server.close()]);
    await stream.ended;
    expect(Date.now() - startMs).toBeLessThan(2000);
    expect(source.subscriberCount).toBe(0);
    await server.close();
  });
});
