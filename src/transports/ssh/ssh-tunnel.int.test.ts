import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSshd, type LocalSshd } from '../../../test/helpers/local-sshd.js';
import { SshTransport } from './ssh-transport.js';

let sshd: LocalSshd;
let ssh: SshTransport;
let web: Server;

beforeAll(async () => {
  sshd = await startLocalSshd();
  ssh = new SshTransport({
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKeyPath: sshd.keys.privateKeyPath,
    knownHostsPath: sshd.knownHostsPath,
  });
  web = createServer((_request, response) => response.end('hello through the tunnel'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await ssh?.close();
  web?.close();
  await sshd?.stop();
});

/** Sends one HTTP/1.0 GET on a stream and returns the whole response. */
async function httpGet(stream: Duplex, path: string): Promise<string> {
  stream.end(`GET ${path} HTTP/1.0\r\nHost: otto\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('SshTransport tunnels through a local sshd', () => {
  it('reaches the Docker engine socket on the host', async () => {
    const response = await httpGet(await ssh.openUnixSocket('/var/run/docker.sock'), '/_ping');
    expect(response).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(response.endsWith('\r\n\r\nOK')).toBe(true);
  });

  it('forwards a TCP connection from the host', async () => {
    const { port } = web.address() as AddressInfo;
    const response = await httpGet(await ssh.forwardOut('127.0.0.1', port), '/');
    expect(response.endsWith('\r\n\r\nhello through the tunnel')).toBe(true);
  });

  it('says why a tunnel could not be opened', async () => {
    await expect(ssh.forwardOut('127.0.0.1', 1)).rejects.toThrow(
      `Could not open a tunnel to 127.0.0.1:1 through host "${ssh.address}" [ssh]: Connection refused.`,
    );
    await expect(ssh.openUnixSocket('/nonexistent.sock')).rejects.toThrow(
      `Could not open a tunnel to /nonexistent.sock through host "${ssh.address}" [ssh]: open failed.`,
    );
  });

  it('runs commands as this machine user', async () => {
    const outcome = await ssh.exec('id -un', { timeoutMs: 10_000 });
    expect(outcome.stdout.toString()).toBe(`${sshd.username}\n`);
  });
});
