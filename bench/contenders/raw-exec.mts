// The floor for one command in a container: the Engine API's exec create, start and inspect over
// plain node:http on the unix socket with a keep-alive agent, no library.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true });

function call(method: string, path: string, body?: unknown): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: '/var/run/docker.sock',
        path,
        method,
        agent,
        headers: payload
          ? { 'Content-Type': 'application/json', 'Content-Length': payload.length }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs argv in a container through the raw API; returns the exit code. */
export async function rawExec(containerId: string, cmd: string[]): Promise<number> {
  const created = JSON.parse(
    (
      await call('POST', `/containers/${containerId}/exec`, {
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
      })
    ).toString(),
  ) as { Id: string };
  await call('POST', `/exec/${created.Id}/start`, { Detach: false, Tty: false });
  const inspected = JSON.parse((await call('GET', `/exec/${created.Id}/json`)).toString()) as {
    ExitCode: number;
  };
  return inspected.ExitCode;
}
