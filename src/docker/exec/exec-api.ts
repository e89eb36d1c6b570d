/**
 * The Engine API's exec calls. An exec is created on a running container (`POST
 * /containers/{id}/exec`, 409 when the container is not running or paused, 404 when it does not
 * exist), then started once (`POST /exec/{id}/start`). Without stdin the start answer is the
 * process's output, read until the engine closes the connection when the process has exited;
 * without a TTY it is framed (see frame-demuxer.ts), with one it is raw. With stdin the start
 * takes over the connection (`Upgrade: tcp`), and half-closing it closes the process's stdin.
 * The exit code is read afterwards with `GET /exec/{id}/json`; it may lag the end of the output by
 * a moment, while the engine records the exit. Destroying the connection does not stop the process.
 */
import type { Readable, Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { EngineClient } from '../engine/engine-client.js';

/** What to run in a container. */
export interface ExecSpec {
  /** argv; no shell is added. */
  cmd: readonly string[];
  env?: Record<string, string>;
  /** Run on a pseudo-terminal (output unframed, stdout and stderr merged). @default false */
  tty?: boolean;
  /** Attach stdin (the start must then be hijacked). @default false */
  attachStdin?: boolean;
  /** @default the container's user */
  user?: string;
  /** @default the container's working directory */
  workingDir?: string;
}

/** What the engine says about an exec. */
export interface ExecState {
  id: string;
  running: boolean;
  /** Undefined while the process runs (and for a moment after its output ends). */
  exitCode: number | undefined;
  /** Process id in the engine host's PID namespace, not the container's; 0 before start. */
  hostPid: number;
}

/**
 * Creates an exec in a running container and returns its id.
 * @example const execId = await createExec(engine, containerId, { cmd: ['id', '-u'] });
 */
export async function createExec(
  engine: EngineClient,
  containerId: string,
  spec: ExecSpec,
  signal?: AbortSignal,
): Promise<string> {
  const created = await engine.json<{ Id: string }>({
    method: 'POST',
    path: `/containers/${encodeURIComponent(containerId)}/exec`,
    body: {
      Cmd: spec.cmd,
      Env: Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`),
      Tty: spec.tty ?? false,
      AttachStdin: spec.attachStdin ?? false,
      AttachStdout: true,
      AttachStderr: true,
      User: spec.user,
      WorkingDir: spec.workingDir,
    },
    okStatus: [201],
    signal,
  });
  return created.Id;
}

/** Starts an exec created without stdin and returns its output stream (framed unless `tty`). */
export async function startExec(
  engine: EngineClient,
  execId: string,
  options: { tty?: boolean; signal?: AbortSignal } = {},
): Promise<Readable> {
  return engine.stream({
    method: 'POST',
    path: `/exec/${execId}/start`,
    body: { Detach: false, Tty: options.tty ?? false },
    okStatus: [200],
    signal: options.signal,
  });
}

/** Starts an exec created with stdin and returns the connection: its input and its output. */
export async function startExecAttached(
  engine: EngineClient,
  execId: string,
  options: { tty?: boolean } = {},
): Promise<Duplex> {
  return engine.hijack({
    method: 'POST',
    path: `/exec/${execId}/start`,
    body: { Detach: false, Tty: options.tty ?? false },
    okStatus: [101, 200],
  });
}

/** Reads an exec's state: running, exit code, process id. */
export async function inspectExec(engine: EngineClient, execId: string): Promise<ExecState> {
  const raw = await engine.json<{
    ID: string;
    Running: boolean;
    ExitCode: number | null;
    Pid: number;
  }>({ method: 'GET', path: `/exec/${execId}/json` });
  return {
    id: raw.ID,
    running: raw.Running,
    exitCode: raw.Running || raw.ExitCode === null ? undefined : raw.ExitCode,
    hostPid: raw.Pid,
  };
}

/** Changes the terminal size of an exec started with a TTY. */
export async function resizeExec(
  engine: EngineClient,
  execId: string,
  size: { cols: number; rows: number },
): Promise<void> {
  await engine.json({
    method: 'POST',
    path: `/exec/${execId}/resize`,
    query: { h: size.rows, w: size.cols },
    okStatus: [200, 201],
  });
}

/** Options of {@link runHelperExec}. */
export interface HelperExecOptions {
  /** @default the container's user */
  user?: string;
  env?: Record<string, string>;
}

/**
 * Runs a helper command in a container to its end, output discarded, and returns its exit code
 * (undefined when the engine had not recorded one): kills, cleanups, signals.
 */
export async function runHelperExec(
  engine: EngineClient,
  containerId: string,
  cmd: readonly string[],
  signal?: AbortSignal,
  options: HelperExecOptions = {},
): Promise<number | undefined> {
  const execId = await createExec(
    engine,
    containerId,
    { cmd, user: options.user, env: options.env },
    signal,
  );
  const output = await startExec(engine, execId, { signal });
  // The output is not needed; reading it to the end waits for the process to exit.
  output.resume();
  await finished(output);
  return (await inspectExec(engine, execId)).exitCode;
}
