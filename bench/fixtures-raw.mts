// The floor of the fixtures benchmark: a container made with bare Engine API calls over node:http
// on the unix socket (a keep-alive agent, no library), and the HTTP GET that proves a published
// port reaches a listener. Every container made here carries BENCH_LABEL, so that a crashed run's
// leftovers can be swept.
import { Agent, get, request } from 'node:http';

/** The label on every container the fixtures benchmark makes outside otto (raw, testcontainers). */
export const BENCH_LABEL = { 'otto.bench': 'fixtures' } as const;

const agent = new Agent({ keepAlive: true });

/** Sends one Engine API request; rejects unless the engine answers with one of `okStatus`. */
export function callEngine(
  method: string,
  path: string,
  body?: unknown,
  okStatus: readonly number[] = [200, 201, 204],
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: '/var/run/docker.sock',
        path: `/v1.41${path}`,
        method,
        agent,
        headers: payload
          ? { 'Content-Type': 'application/json', 'Content-Length': payload.length }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const answer = Buffer.concat(chunks);
          if (okStatus.includes(res.statusCode ?? 0)) resolve(answer);
          else reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${answer.toString()}`));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Creates and starts a container from a create body; resolves to its id. */
export async function rawCreateAndStart(body: Record<string, unknown>): Promise<string> {
  const created = JSON.parse((await callEngine('POST', '/containers/create', body)).toString()) as {
    Id: string;
  };
  await callEngine('POST', `/containers/${created.Id}/start`, undefined, [204, 304]);
  return created.Id;
}

/** Removes a container at once (SIGKILL) with its anonymous volumes. */
export async function rawRemove(id: string): Promise<void> {
  await callEngine('DELETE', `/containers/${id}?force=true&v=true`, undefined, [204, 404]);
}

/** The host port the engine chose for a published container port (`8080/tcp`). */
export async function rawHostPort(id: string, key: string): Promise<number> {
  const inspected = JSON.parse((await callEngine('GET', `/containers/${id}/json`)).toString()) as {
    NetworkSettings: { Ports: Record<string, Array<{ HostPort: string }> | null> };
  };
  const port = Number(inspected.NetworkSettings.Ports[key]?.[0]?.HostPort);
  if (!port) throw new Error(`container ${id.slice(0, 12)} has no host port for ${key}`);
  return port;
}

/**
 * True when an HTTP GET of 127.0.0.1:port gets an answer (any status). The engine's userland
 * proxy accepts a connection even when nothing listens inside and then closes it, so only an
 * answer proves that the listener is reached.
 */
export function httpAnswers(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(
      { host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve(true));
        res.on('error', () => resolve(true));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * GETs until an answer comes, `pauseMs` apart; resolves to the number of tries. Throws after
 * `timeoutMs`.
 */
export async function getUntilAnswered(
  port: number,
  { pauseMs = 5, timeoutMs = 30_000 } = {},
): Promise<number> {
  const endMs = performance.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    if (await httpAnswers(port)) return tries;
    if (performance.now() > endMs) throw new Error(`127.0.0.1:${port} never answered a GET`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** Removes every container left by a crashed run of this benchmark (raw and testcontainers ones). */
export async function sweepBenchContainers(): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['otto.bench=fixtures'] }));
  const listed = JSON.parse(
    (await callEngine('GET', `/containers/json?all=true&filters=${filters}`)).toString(),
  ) as Array<{ Id: string }>;
  await Promise.all(listed.map((container) => rawRemove(container.Id)));
  return listed.length;
}

/** Ends the kept-alive connections, so that the process can exit. */
export function closeRawAgent(): void {
  agent.destroy();
}
