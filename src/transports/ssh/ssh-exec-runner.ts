/**
 * Direct commands on exec channels of one SSH connection, and the side commands that stop what
 * they and the shells leave. A stopped command (deadline, abort, close) gets SIGKILL by a
 * `signal` request, its channel is closed, and then whatever it left running is found by the
 * mark every command exports first (OTTO_EXEC_ID) and killed: sshd's killpg misses processes
 * that left the command's process group, and comes too early when it beats the child's setsid.
 */
import type { ClientChannel } from 'ssh2';
import { ExecOutput } from '../../common/bounded-output.js';
import { Deadline, raceDeadline } from '../../common/deadline.js';
import type { Logger } from '../../common/logger.js';
import { describePlace, placeDetails, type Place } from '../../common/place.js';
import { CommandError } from '../../errors.js';
import { markedKillScript } from '../interrupt-script.js';
import type { ExecOptions, ExecOutcome } from '../transport.js';
import { OpenStopped, type SessionChannels } from './session-channels.js';
import { collectExec, killChannel, openExecChannel } from './ssh-exec.js';
import {
  lostError,
  markedCommandLine,
  newExecMark,
  stoppedError,
  unfinishedOutcome,
} from './ssh-exec-outcome.js';

/** What a direct command needs beyond ExecOptions: a side command's stdin and its rules. */
export interface RunOptions extends ExecOptions {
  /** Written to stdin before it is closed. */
  input?: string;
  /** A side command (a kill script): unmarked, first in the slot queue, runs during close. */
  isSide?: boolean;
}

/**
 * The command line of a side command: `/bin/sh` reads the script from stdin. A path is never
 * looked up among the login shell's functions or aliases, so a user's `kill` or `exec` function
 * cannot break it, and the script never passes through the login shell's parser.
 */
const SIDE_SHELL = '/bin/sh -s';

/** What the runner needs from its transport. */
export interface ExecRunnerContext {
  channels: SessionChannels;
  place: Place;
  closeTimeoutMs: number;
  signalTimeoutMs: number;
  /** The caller's signal joined with the transport's close. */
  stopSignal(signal: AbortSignal | undefined): AbortSignal;
  /** Why the connection last dropped, if it did. */
  lastDrop(): { error: Error; why: string } | undefined;
  logger?: Logger;
}

/** Runs direct and side commands on exec channels. */
export class ExecRunner {
  private pendingMarks: string[] = [];
  private markKill?: Promise<void>;

  constructor(private readonly context: ExecRunnerContext) {}

  /** Runs a direct command or a side command (see SshTransport.exec). */
  async run(command: string, options: RunOptions): Promise<ExecOutcome> {
    const mark = options.isSide ? undefined : newExecMark();
    const commandLine = mark ? markedCommandLine(command, mark, options.env) : command;
    using deadline = new Deadline({
      timeoutMs: options.timeoutMs,
      signal: options.isSide ? options.signal : this.context.stopSignal(options.signal),
    });
    const output = new ExecOutput(options.maxOutputBytes, options.onOutput);
    const stopped = (): ExecOutcome =>
      unfinishedOutcome(output, stoppedError(deadline, this.context.place, command, output));
    if (deadline.reason) return stopped();
    let opened: { channel: ClientChannel; release: () => void };
    try {
      opened = await this.context.channels.open(
        (client) => openExecChannel(client, commandLine),
        deadline,
        {
          first: options.isSide,
          noReconnect: options.isSide,
          onLate: (channel) => this.stopLate(channel, mark),
        },
      );
    } catch (error) {
      if (!deadline.reason) throw error;
      if (error instanceof OpenStopped) {
        // The command may have started: it is stopped and killed before the outcome says so.
        await raceDeadline(
          error.cleanup,
          this.context.closeTimeoutMs + this.context.signalTimeoutMs,
        );
      }
      return stopped();
    }
    const end = await collectExec(opened.channel, output, deadline.signal, {
      closeTimeoutMs: this.context.closeTimeoutMs,
      input: options.input,
    }).finally(opened.release);
    if (end.kind === 'exited') {
      const signal = end.signal ? { signal: end.signal } : {};
      return { exitCode: end.exitCode, ...signal, ...output.collect() };
    }
    if (end.kind === 'lost')
      return unfinishedOutcome(
        output,
        lostError(this.context.place, command, output, this.context.lastDrop()),
      );
    if (mark) await this.killMarked(mark);
    return stopped();
  }

  /** Ends a command whose channel opened after its caller gave up. */
  private async stopLate(channel: ClientChannel, mark: string | undefined): Promise<void> {
    killChannel(channel);
    if (mark) await this.killMarked(mark);
  }

  /**
   * Kills what a stopped command left running, found by its mark. Marks asked for within one
   * turn of the event loop share one side command (a close stops many commands at once).
   */
  private killMarked(mark: string): Promise<void> {
    this.pendingMarks.push(mark);
    this.markKill ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const marks = this.pendingMarks.splice(0);
      this.markKill = undefined;
      return this.runSideScript(markedKillScript(marks)).catch((error: Error) =>
        this.context.logger?.debug(`could not end what a stopped command left: ${error.message}`),
      );
    });
    return this.markKill;
  }

  /** Runs a script by `/bin/sh -s` on a side channel (first in the slot queue); rejects when it cannot. */
  async runSideScript(script: string): Promise<void> {
    const outcome = await this.run(SIDE_SHELL, {
      timeoutMs: this.context.signalTimeoutMs,
      input: script,
      isSide: true,
    });
    if (outcome.error) throw outcome.error;
    if (outcome.exitCode !== 0) {
      throw new CommandError(
        'COMMAND_FAILED',
        `A side command on ${describePlace(this.context.place)} failed with exit code ${outcome.exitCode}.`,
        {
          ...placeDetails(this.context.place),
          exitCode: outcome.exitCode,
          outputTail: outcome.output.toString('utf8') || undefined,
        },
      );
    }
  }
}
