import { describe, expect, it } from 'vitest';
import { messageError, readEngineMessages } from './json-messages.js';

async function collect(chunks: string[]) {
  const messages = [];
  for await (const message of readEngineMessages(chunks)) messages.push(message);
  return messages;
}

describe('readEngineMessages', () => {
  const stream = '{"stream":"Step 1/2 : FROM x"}\r\n{"aux":{"ID":"sha256:abc"}}\n{"status":"done"}';

  it('reads every message whole, at every chunk boundary', async () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const messages = await collect([stream.slice(0, cut), stream.slice(cut)]);
      expect(messages).toEqual([
        { stream: 'Step 1/2 : FROM x' },
        { aux: { ID: 'sha256:abc' } },
        { status: 'done' },
      ]);
    }
  });

  it('skips blank and non-JSON lines', async () => {
    expect(await collect(['\n\nnot json\n{"status":"ok"}\n'])).toEqual([{ status: 'ok' }]);
  });
});

describe('messageError', () => {
  it('finds the failure in error or errorDetail', () => {
    expect(messageError({ error: 'boom' })).toBe('boom');
    expect(messageError({ errorDetail: { message: 'detail' } })).toBe('detail');
    expect(messageError({ status: 'fine' })).toBeUndefined();
  });
});
