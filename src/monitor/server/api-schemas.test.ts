import { describe, expect, test } from 'vitest';
import { parseDataQuery, parseEventPatch, parseNewEvent } from './api-schemas.js';

function problemOf(action: () => unknown): { status: number; message: string } {
  try {
    action();
  } catch (error) {
    return { status: (error as { status: number }).status, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

describe('parseDataQuery', () => {
  test('reads host, from, to and points; ignores the token and the rest', () => {
    const params = new URLSearchParams('host=web1&from=10&to=20&points=500&token=x&cache=1');
    expect(parseDataQuery(params)).toEqual({ host: 'web1', fromMs: 10, toMs: 20, maxPoints: 500 });
    expect(parseDataQuery(new URLSearchParams('host=web1'))).toEqual({
      host: 'web1',
      fromMs: undefined,
      toMs: undefined,
      maxPoints: undefined,
    });
  });

  test('names every bad parameter', () => {
    expect(problemOf(() => parseDataQuery(new URLSearchParams('from=1.5&points=x')))).toEqual({
      status: 400,
      message:
        'host: is required; from: expected a whole number, got "1.5"; points: expected a whole number, got "x"',
    });
  });
});

describe('event bodies', () => {
  test('a new event keeps what it was given, label trimmed', () => {
    expect(
      parseNewEvent({
        label: ' deploy ',
        kind: 'span',
        color: 'rgb(1 2 3)',
        dash: 'dot',
        host: 'web1',
      }),
    ).toEqual({
      label: 'deploy',
      kind: 'span',
      color: 'rgb(1 2 3)',
      dash: 'dot',
      host: 'web1',
    });
  });

  test('refusals name the field', () => {
    expect(problemOf(() => parseNewEvent({ label: '' }))).toEqual({
      status: 400,
      message: 'label: must not be empty',
    });
    expect(problemOf(() => parseNewEvent({ label: 'x', color: 'url(javascript:1)' }))).toEqual({
      status: 400,
      message: 'color: expected a CSS colour such as "#e4572e", got "url(javascript:1)"',
    });
    expect(problemOf(() => parseNewEvent({ label: 'x', kind: 'line' }))).toEqual({
      status: 400,
      message: 'kind: expected one of "mark", "span", got "line"',
    });
    expect(problemOf(() => parseEventPatch({ label: 'x', source: 'manual' }))).toEqual({
      status: 400,
      message: 'body: unknown field "source"',
    });
    expect(problemOf(() => parseEventPatch(null))).toEqual({
      status: 400,
      message: 'body: expected a JSON object',
    });
  });
});
