/**
 * One command in a container, outside any shell session: create an exec (argv, or `sh -c` for a
 * string), start it without stdin and read its framed output until the engine closes the stream,
 * then read the exit code. Three requests, nothing more, so that it costs what a raw Engine API
 * exec costs. On a deadline or an abort the output stream is destroyed and the process, with
 * everything it started, killed by its environment token (see exec-token.ts); the outcome then
 * has exit code -1, the output so far and a `TimeoutError` or `AbortedError` in `error`.
 */
import { addAbortSignal, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ExecOutput, type OutputStreamName } from '../../common/bounded-output.js';
import { Deadline } from '../../common/deadline.js';
import { describePlace, placeDetails, shortCommand, type Place } from '../../common/place.js';
import { joinArgv } from '../../common/quote.js';
import { ConfigError } from '../../errors.js';
import type { Argv, ExecOptions, ExecOutcome } from '../../transports/transport.js';
import type { EngineClient } from '../engine/engine-client.js';
import { createFrameDemuxer } from '../engine/frame-demuxer.js';
import { createExec, inspectExec, runHelperExec, startExec } from './exec-api.js';
import { exitCodeUnknown, outputLost, outputTail, toExecError } from './exec-failures.js';
import { createExecToken, tokenEnvironment, tokenKillScript } from './exec-token.js';

/** Where a command runs, and the deadline of the side execs that stop it. */
export interface ExecTarget {
  engine: EngineClient;
  containerId: string;
  /** The host, for messages. */
  place: Place;
  /** @default the container's user */
  user?: string;
  /** Deadline of a kill or signal sent through a second exec. */
  signalTimeoutMs: number;
}

/** Pauses while the engine records an exit code that lags the end of the output. */
const EXIT_CODE_PAUSES_MS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 400, 800];

/**
 * Runs one command in a container and returns its outcome; throws only when it cannot start.
 * @example const { exitCode, stdout } = await runExecCommand(target, 'uname -r', { timeoutMs: 10_000 });
 */
export async function runExecCommand(
  target: ExecTarget,
  command: string | Argv,
  options: ExecOptions,
): Promise<ExecOutcome> {
  const shown = typeof command === 'string' ? command : joinArgv(command);
  const argv = toArgv(command, target.place);
  using deadline = new Deadline({ timeoutMs: options.timeoutMs, signal: options.signal });
  const output = new ExecOutput(options.maxOutputBytes, options.onOutput);
  if (deadline.reason) return stoppedOutcome(target, output, deadline, shown);
  const token = createExecToken();
  let stream: Readable | undefined;
  try {
    const execId = await createExec(
      target.engine,
      target.containerId,
      { cmd: argv, env: { ...options.env, ...tokenEnvironment(token) }, user: target.user },
      deadline.signal,
    );
    stream = await startExec(target.engine, execId, { signal: deadline.signal });
    await pumpFrames(stream, (name, chunk) => output.push(chunk, name), deadline.signal);
    const exitCode = await readExitCode(target.engine, execId);
    if (exitCode !== undefined) return { exitCode, ...output.collect() };
    return { exitCode: -1, ...output.collect(), error: exitCodeUnknown(target.place, shown) };
  } catch (error) {
    if (deadline.reason) {
      stream?.destroy();
      await killByToken(target, token);
      return stoppedOutcome(target, output, deadline, shown);
    }
    if (!stream) throw toExecError(error, target.place, `run \`${shortCommand(shown)}\``);
    return { exitCode: -1, ...output.collect(), error: outputLost(target.place, shown, error) };
  } finally {
    stream?.destroy();
  }
}

/**
 * Sends `signal` to every process that carries `token`, and their descendants, `spare` excepted,
 * from a second exec run as the same user; bounded by the target's `signalTimeoutMs`. Never
 * throws: a container that is gone has nothing left to kill.
 */
export async function killByToken(
  target: ExecTarget,
  token: string,
  signal: 'KILL' | 'INT' | 'TERM' = 'KILL',
  spare?: number,
): Promise<void> {
  using deadline = new Deadline({ timeoutMs: target.signalTimeoutMs });
  await runHelperExec(
    target.engine,
    target.containerId,
    ['sh', '-c', tokenKillScript(token, signal, spare)],
    deadline.signal,
    { user: target.user },
  ).catch(() => undefined);
}

function toArgv(command: string | Argv, place: Place): readonly string[] {
  if (typeof command === 'string') return ['sh', '-c', command];
  if (command.length > 0) return command;
  throw new ConfigError(
    'INVALID_ARGV',
    `Cannot run an empty argument vector on ${describePlace(place)}: give the program first.`,
  );
}

function stoppedOutcome(
  target: ExecTarget,
  output: ExecOutput,
  deadline: Deadline,
  shown: string,
): ExecOutcome {
  const collected = output.collect();
  const error = deadline.stopError(
    'COMMAND_TIMEOUT',
    `running \`${shortCommand(shown)}\` on ${describePlace(target.place)}`,
    { ...placeDetails(target.place), operation: shown, outputTail: outputTail(collected.output) },
  );
  return { exitCode: -1, ...collected, error };
}

/** Feeds a framed output stream to `push` until it ends; rejects when it breaks or is aborted. */
async function pumpFrames(
  stream: Readable,
  push: (name: OutputStreamName, chunk: Buffer) => void,
  signal: AbortSignal,
): Promise<void> {
  addAbortSignal(signal, stream);
  stream.on('data', createFrameDemuxer(push));
  await finished(stream);
}

async function readExitCode(engine: EngineClient, execId: string): Promise<number | undefined> {
  for (const pauseMs of EXIT_CODE_PAUSES_MS) {
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const state = await inspectExec(engine, execId);
    if (state.exitCode !== undefined) return state.exitCode;
  }
  return undefined;
}
