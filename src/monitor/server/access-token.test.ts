import type { IncomingMessage } from 'node:http';
import { expect, test } from 'vitest';
import { isTokenValid, tokenCookie, tokenOfRequest } from './access-token.js';

function requestWith(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

test('the token is read from the query, then a Bearer header, then the cookie of the port', () => {
  const url = (search: string) => new URL(`http://monitor/api/meta${search}`);
  expect(tokenOfRequest(requestWith({ authorization: 'Bearer abc' }), url('?token=q'), 80)).toEqual(
    { value: 'q', from: 'query' },
  );
  expect(tokenOfRequest(requestWith({ authorization: 'bearer abc' }), url(''), 80)).toEqual({
    value: 'abc',
    from: 'header',
  });
  const cookie = 'other=1; otto-monitor-8080=c=d; otto-monitor-9090=x';
  expect(tokenOfRequest(requestWith({ cookie }), url(''), 8080)).toEqual({
    value: 'c=d',
    from: 'cookie',
  });
  expect(tokenOfRequest(requestWith({ cookie }), url(''), 7070)).toBeUndefined();
});

test('tokens compare whole, whatever their lengths', () => {
  expect(isTokenValid('abcdefgh', 'abcdefgh')).toBe(true);
  expect(isTokenValid('abcdefg', 'abcdefgh')).toBe(false);
  expect(isTokenValid('abcdefghi', 'abcdefgh')).toBe(false);
  expect(isTokenValid(undefined, 'abcdefgh')).toBe(false);
});

test('the cookie is for the whole server, not for scripts, not sent cross-site', () => {
  expect(tokenCookie(8080, 'tok')).toBe('otto-monitor-8080=tok; Path=/; HttpOnly; SameSite=Strict');
});
