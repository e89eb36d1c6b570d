/**
 * One command in a container, outside any shell session: create an exec (argv, or `sh -c` for a
 * string), start it without stdin and read its framed output until the engine closes the stream,
 * then read the exit code. Three requests, nothing more, so that it costs what a raw Engine API
 * exec costs. On a deadline or an abort the output stream is destroyed and the process killed by
 * its environment token (see exec-token.ts); the outcome then has exit code -1, the output so far
 * and the reason in `error`.
 */
import { addAbortSignal, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { joinArgv } from '../../common/quote.js';
import type { ExecOptions, ExecOutcome } from '../../transports/transport.js';
import type { EngineClient } from '../engine/engine-client.js';
import { createFrameDemuxer, type FrameStream } from '../engine/frame-demuxer.js';
import { createExec, inspectExec, runHelperExec, startExec } from './exec-api.js';
import {
  commandAborted,
  commandTimedOut,
  exitCodeUnknown,
  outputLost,
  toExecError,
  type ExecPlace,
} from './exec-failures.js';
import { createExecToken, tokenEnvironment, tokenKillScript } from './exec-token.js';
import { watchStop } from './stop-watch.js';

/** Where a command runs. */
export interface ExecTarget extends ExecPlace {
  engine: EngineClient;
  containerId: string;
  /** @default the container's user */
  user?: string;
}

/** How long the best-effort kill of a stopped command may take. */
const KILL_TIMEOUT_MS = 5_000;
/** Pauses while the engine records an exit code that lags the end of the output. */
const EXIT_CODE_PAUSES_MS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 400, 800];

/**
 * Runs one command in a container and returns its outcome; throws only when it cannot start.
 * @example const { exitCode, stdout } = await runExecCommand(target, 'uname -r', { timeoutMs: 10_000 });
 */
export async function runExecCommand(
  target: ExecTarget,
  command: string | readonly string[],
  options: ExecOptions,
): Promise<ExecOutcome> {
  const text = typeof command === 'string' ? command : joinArgv(command);
  const argv = typeof command === 'string' ? ['sh', '-c', command] : command;
  const token = createExecToken();
  const output = createOutputCollector(options.onOutput);
  const stop = watchStop(options.timeoutMs, options.signal);
  let stream: Readable | undefined;
  try {
    const execId = await createExec(
      target.engine,
      target.containerId,
      { cmd: argv, env: { ...options.env, ...tokenEnvironment(token) }, user: target.user },
      stop.signal,
    );
    stream = await startExec(target.engine, execId, { signal: stop.signal });
    await pumpFrames(stream, (name, chunk) => output.push(name, chunk), stop.signal);
    const exitCode = await readExitCode(target.engine, execId);
    if (exitCode !== undefined) return output.outcome(exitCode);
    return output.outcome(-1, { error: exitCodeUnknown(target, text) });
  } catch (error) {
    if (stop.signal.aborted) {
      await killByToken(target, token);
      const reason = stop.isTimeout()
        ? commandTimedOut(target, text, options.timeoutMs, output.merged())
        : commandAborted(target, text, stop.elapsedMs(), options.signal?.reason);
      return output.outcome(-1, { signal: 'KILL', error: reason });
    }
    if (!stream) throw toExecError(error, target, `run \`${text}\``);
    return output.outcome(-1, { error: outputLost(target, text, error) });
  } finally {
    stop.dispose();
    stream?.destroy();
  }
}

/** Feeds a framed output stream to `push` until it ends; rejects when it breaks or is aborted. */
async function pumpFrames(
  stream: Readable,
  push: (name: FrameStream, chunk: Buffer) => void,
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

async function killByToken(target: ExecTarget, token: string): Promise<void> {
  const script = tokenKillScript(token);
  await runHelperExec(
    target.engine,
    target.containerId,
    ['sh', '-c', script],
    AbortSignal.timeout(KILL_TIMEOUT_MS),
  ).catch(() => undefined);
}

interface OutputCollector {
  push(name: FrameStream, chunk: Buffer): void;
  merged(): Buffer;
  outcome(exitCode: number, extra?: Pick<ExecOutcome, 'signal' | 'error'>): ExecOutcome;
}

/** Keeps stdout, stderr and both in arrival order; reports each chunk to `onOutput`. */
function createOutputCollector(onOutput: ExecOptions['onOutput']): OutputCollector {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[], output: [] as Buffer[] };
  return {
    push(name, chunk) {
      chunks[name].push(chunk);
      chunks.output.push(chunk);
      onOutput?.(chunk, name);
    },
    merged: () => Buffer.concat(chunks.output),
    outcome: (exitCode, extra = {}) => ({
      exitCode,
      ...extra,
      stdout: Buffer.concat(chunks.stdout),
      stderr: Buffer.concat(chunks.stderr),
      output: Buffer.concat(chunks.output),
    }),
  };
}
