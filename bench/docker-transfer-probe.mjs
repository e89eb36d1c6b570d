// Docker transport and archive transfer against their baselines, side by side, interleaved:
// - an exec round trip (`true`) through DockerExecTransport.exec, against a raw Engine API exec
//   (create, start, inspect over node:http, with and without keep-alive) and `docker exec`;
// - 64 MiB into and out of a container with DockerArchiveTransfer, against `docker cp`.
// Run after `npm run build`: node bench/docker-transfer-probe.mjs [--rounds N]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, ensureBaseImage } from '../dist/index.js';
import { StartedContainer } from '../dist/docker/containers/started-container.js';
import { DockerArchiveTransfer } from '../dist/docker/exec/docker-archive-transfer.js';
import { DockerExecTransport } from '../dist/docker/exec/docker-exec-transport.js';
import { compare } from './lib.mjs';

const SOCKET = '/var/run/docker.sock';
const SIZE_BYTES = 64 << 20;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 15;

const docker = (...args) => execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** One Engine API request over node:http; resolves with the body. */
function call(agent, method, path, body) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers = data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {};
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: SOCKET, agent, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** The raw exec: create, start (read to the end), inspect; nothing else. */
async function rawExec(agent, containerId) {
  const created = await call(agent, 'POST', `/containers/${containerId}/exec`, {
    Cmd: ['true'],
    AttachStdout: true,
    AttachStderr: true,
  });
  const { Id } = JSON.parse(created);
  await call(agent, 'POST', `/exec/${Id}/start`, { Detach: false, Tty: false });
  const { ExitCode } = JSON.parse(await call(agent, 'GET', `/exec/${Id}/json`));
  if (ExitCode !== 0) throw new Error(`raw exec exited with ${ExitCode}`);
}

function rate(row) {
  return `${((SIZE_BYTES / 1e6) * (1000 / row.medianMs)).toFixed(0)} MB/s`;
}

async function probeExec(engine, container) {
  const transport = new DockerExecTransport(engine, container.id);
  await transport.open();
  const keepAlive = new Agent({ keepAlive: true });
  const fresh = new Agent({ keepAlive: false });
  await compare(
    'exec `true` round trip',
    [
      { name: 'raw Engine API (keep-alive)', run: () => rawExec(keepAlive, container.id) },
      {
        name: 'otto DockerExecTransport.exec',
        run: () => transport.exec('true', { timeoutMs: 30_000 }),
      },
      { name: 'raw Engine API (new connections)', run: () => rawExec(fresh, container.id) },
      { name: 'docker exec CLI', run: async () => docker('exec', container.id, 'true') },
    ],
    { rounds: ROUNDS * 2, warmup: 3 },
  );
  keepAlive.destroy();
  fresh.destroy();
}

async function probeTransfer(engine, container, dir) {
  const source = join(dir, 'payload.bin');
  writeFileSync(source, randomBytes(SIZE_BYTES));
  const transfer = new DockerArchiveTransfer(engine, container.id);
  docker('exec', container.id, 'mkdir', '-p', '/in-otto', '/in-cp');
  const put = await compare(
    '64 MiB into a container',
    [
      {
        name: 'docker cp (local → container)',
        run: async () => docker('cp', source, `${container.id}:/in-cp/`),
      },
      { name: 'otto DockerArchiveTransfer.put', run: () => transfer.put([source], '/in-otto') },
    ],
    { rounds: ROUNDS, warmup: 1 },
  );
  const outCp = join(dir, 'out-cp');
  const outOtto = join(dir, 'out-otto');
  mkdirSync(outCp);
  mkdirSync(outOtto);
  const get = await compare(
    '64 MiB out of a container',
    [
      {
        name: 'docker cp (container → local)',
        run: async () => docker('cp', `${container.id}:/in-cp/payload.bin`, outCp),
      },
      {
        name: 'otto DockerArchiveTransfer.get',
        run: () => transfer.get(['/in-otto/payload.bin'], outOtto),
      },
    ],
    { rounds: ROUNDS, warmup: 1 },
  );
  console.log(`\nput: docker cp ${rate(put[0])}, otto ${rate(put[1])}`);
  console.log(`get: docker cp ${rate(get[0])}, otto ${rate(get[1])}`);
}

const engine = EngineClient.fromEnvironment();
const { ref } = await ensureBaseImage(engine, 'debian');
const container = await StartedContainer.start(engine, {
  image: ref,
  cmd: ['sleep', '3600'],
  purpose: 'bench-docker-transfer',
});
const dir = mkdtempSync(join(tmpdir(), 'otto-bench-transfer-'));
try {
  await probeExec(engine, container);
  await probeTransfer(engine, container, dir);
} finally {
  await container.stop();
  rmSync(dir, { recursive: true, force: true });
  await engine.close();
}
