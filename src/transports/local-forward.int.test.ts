import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelnetTestbed, type TelnetTestbed } from '../../test/helpers/telnet-testbed.js';
import { startLocalForward } from './local-forward.js';

let bed: TelnetTestbed;

beforeAll(async () => {
  bed = await startTelnetTestbed(['behind']);
}, 180_000);

afterAll(() => bed?.stop());

/** Connects to 127.0.0.1:port and resolves the first line the server sends. */
function readFirstLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!text.includes('\n')) return;
      socket.destroy();
      resolve(text.split('\n')[0]!.trimEnd());
    });
    socket.on('error', reject);
  });
}

describe('startLocalForward through an SSH hop', () => {
  it('reaches a server that only the hop reaches, once per accepted connection', async () => {
    const box = bed.box('behind');
    const forward = await startLocalForward(bed.tcpTo('behind'), box.host, box.ftpPort);
    try {
      const greetings = await Promise.all([
        readFirstLine(forward.port),
        readFirstLine(forward.port),
      ]);
      expect(greetings).toEqual(['220 (vsFTPd 3.0.3)', '220 (vsFTPd 3.0.3)']);
    } finally {
      await forward.close();
    }
  }, 60_000);
});
