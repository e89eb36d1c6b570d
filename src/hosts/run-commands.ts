import { writeToSink } from '../common/bounded-output.js';
import { Deadline } from '../common/deadline.js';
import type { ShellSession } from '../sessions/shell-session.js';
import {
  RunResult,
  notRunResult,
  statusOf,
  isOkStatus,
  type CommandResult,
  type ShellCommand,
} from './command-result.js';
import type { Commands, RunOptions } from './host.js';
import type { HostLog } from './host-log.js';

/** Turns any form of `cmds` into a list of {@link ShellCommand}. */
export function normalizeCommands(cmds: Commands): ShellCommand[] {
  const list =
    typeof cmds === 'string' || !Array.isArray(cmds)
      ? [cmds as string | ShellCommand]
      : (cmds as ReadonlyArray<string | ShellCommand>);
  return list.map((item) => (typeof item === 'string' ? { cmd: item } : item));
}

/**
 * Runs commands in order on one session. The list shares one deadline: each command gets what is
 * left (or its own, smaller, timeout); once it is spent the rest are not run and come back as
 * `error` results. A list goes on after a failure unless `stopOnError` is set.
 */
export async function runCommands(
  session: ShellSession,
  cmds: Commands,
  options: RunOptions & { timeoutMs: number },
  log: HostLog,
): Promise<RunResult> {
  using deadline = new Deadline({ timeoutMs: options.timeoutMs, signal: options.signal });
  const results: CommandResult[] = [];
  let stopReason: string | undefined;
  for (const command of normalizeCommands(cmds)) {
    if (stopReason) {
      results.push(notRunResult(command.cmd, stopReason));
      continue;
    }
    if (deadline.reason === 'timeout')
      stopReason = `Not run: the list's deadline of ${options.timeoutMs}ms was spent.`;
    if (stopReason) {
      results.push(notRunResult(command.cmd, stopReason));
      continue;
    }
    const result = await runOne(session, command, options, deadline, log);
    results.push(result);
    if (result.error && !stopReason && (deadline.reason || result.error.code === 'ABORTED'))
      stopReason = `Not run: \`${command.cmd.split('\n')[0]}\` was stopped.`;
    if (options.stopOnError && !isOkStatus(result.status))
      stopReason = `Not run: \`${command.cmd.split('\n')[0]}\` was not ok.`;
  }
  return new RunResult(results);
}

async function runOne(
  session: ShellSession,
  command: ShellCommand,
  options: RunOptions,
  deadline: Deadline,
  log: HostLog,
): Promise<CommandResult> {
  log.command(command.cmd, session.options.name);
  const timeoutMs = Math.min(command.timeoutMs ?? Infinity, Math.ceil(deadline.remainingMs()));
  const sink = options.output;
  const outcome = await session.run(command.cmd, {
    timeoutMs,
    expects: command.expects ?? options.expects,
    signal: options.signal,
    maxOutputBytes: options.maxOutputBytes,
    ...(sink ? { onOutput: (chunk: Buffer) => writeToSink(sink, chunk, 'stdout') } : {}),
  });
  const output = outcome.output.toString('utf8');
  return {
    command: command.cmd,
    output,
    stdout: output,
    stderr: '',
    outputBytes: outcome.output,
    exitCode: outcome.exitCode,
    status: statusOf(outcome.exitCode, command.okExitCodes, outcome.error),
    durationMs: outcome.durationMs,
    droppedBytes: outcome.droppedBytes,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}
