import { randomBytes } from 'node:crypto';
import { raceDeadline } from '../common/deadline.js';
import type { Logger } from '../common/logger.js';
import { describePlace } from '../common/place.js';
import { TimeoutError } from '../errors.js';
import type { CommandResult } from '../hosts/command-result.js';
import type { Host } from '../hosts/host.js';
import type { HostState, MetricParser, Sample, SeriesMeta } from './metric-types.js';
import { buildCollectCommand, parseCollectOutput } from './parsers/collect-command.js';
import type { CounterMemory } from './parsers/counter-memory.js';
import { toHostSample } from './tick-readings.js';

/**
 * Reads one host each tick: one `oneshot` of every parser's command (never the host's default
 * session, which the tests use), its output parsed into a sample. It remembers the host's state
 * and its failing parsers, so each change is logged once rather than every tick.
 */

/** What one host gave in one tick. */
export interface HostPollResult {
  host: string;
  /** How long the host took to answer (or to be given up), ms. */
  durationMs: number;
  /** Series seen for the first time. */
  newSeries: SeriesMeta[];
  sample: Sample | undefined;
  /** The host's state when it changed (its first state too). */
  state: HostState | undefined;
}

/** Time limits of a poll. */
export interface PollTimeouts {
  /** The oneshot's deadline: just under the interval. */
  pollTimeoutMs: number;
  /** How long past it a poll that does not end is still waited for in its tick. */
  graceMs: number;
}

/**
 * Most bytes of a tick's output kept: far above what the built-in parsers print (a few KiB; top
 * processes some tens), so that a custom command printing without end costs one bounded read.
 */
const MAX_TICK_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * How long a host that is not known to be up (its first tick, or after it went down) is given to
 * answer one oneshot: long enough for a login to end on its own, so that a later tick tells why it
 * failed (a wrong password takes about 2 s through PAM) instead of each tick starting a new login
 * and giving up on it.
 */
const LOGIN_WAIT_MS = 15_000;

type ReadOutcome = { output: string } | { down: string } | { stopped: true };

/** One host's reader, for the life of a collector. */
export class HostPoller {
  private readonly known = new Set<string>();
  private readonly failing = new Map<string, string>();
  private readonly token = randomBytes(8).toString('hex');
  private readonly command: string;
  private status: HostState['status'] | undefined;
  private reason: string | undefined;
  private running: Promise<unknown> | undefined;
  /** Why a oneshot its tick gave up on failed, once it did: the next tick tells it. */
  private late: string | undefined;

  constructor(
    private readonly host: Host,
    private readonly parsers: readonly MetricParser[],
    private readonly memory: CounterMemory,
    private readonly logger: Logger,
    private readonly timeouts: PollTimeouts,
  ) {
    this.command = buildCollectCommand(parsers, this.token);
  }

  /** Reads the host for the tick at `timestampMs`; never rejects. */
  async poll(timestampMs: number, signal: AbortSignal): Promise<HostPollResult> {
    const startMs = performance.now();
    const outcome = await this.read(signal);
    const result: HostPollResult = {
      host: this.host.id,
      durationMs: performance.now() - startMs,
      newSeries: [],
      sample: undefined,
      state: undefined,
    };
    if ('stopped' in outcome) return result;
    if ('down' in outcome) {
      result.state = this.changeState(timestampMs, 'down', outcome.down);
      return result;
    }
    result.state = this.changeState(timestampMs, 'up');
    Object.assign(result, this.parse(outcome.output, timestampMs));
    return result;
  }

  /** Resolves when no oneshot of this poller runs any more. */
  async idle(): Promise<void> {
    await this.running;
  }

  private async read(signal: AbortSignal): Promise<ReadOutcome> {
    const late = this.late;
    this.late = undefined;
    if (late !== undefined) return { down: late };
    // A oneshot that outlived its tick still runs: another one would only pile up behind it.
    if (this.running) return { down: this.noAnswer() };
    const work = this.host.oneshot(this.command, {
      timeoutMs:
        this.status === 'up'
          ? this.timeouts.pollTimeoutMs
          : Math.max(this.timeouts.pollTimeoutMs, LOGIN_WAIT_MS),
      maxOutputBytes: MAX_TICK_OUTPUT_BYTES,
      signal,
    });
    let givenUp = false;
    const running = work
      .then((result) => {
        const outcome = givenUp ? this.outcomeOf(result, signal) : undefined;
        if (outcome && 'down' in outcome && outcome.down !== this.noAnswer())
          this.late = outcome.down;
      })
      .catch(() => undefined)
      .finally(() => (this.running = undefined));
    this.running = running;
    const waited = await raceDeadline(
      work,
      this.timeouts.pollTimeoutMs + this.timeouts.graceMs,
      signal,
    );
    if (waited.kind === 'aborted') return { stopped: true };
    if (waited.kind === 'timeout') {
      givenUp = true;
      return { down: this.noAnswer() };
    }
    if (waited.kind === 'failed') return { down: firstLine(waited.error) };
    return this.outcomeOf(waited.value, signal);
  }

  private outcomeOf(result: CommandResult, signal: AbortSignal): ReadOutcome {
    if (result.status === 'error') {
      if (signal.aborted) return { stopped: true };
      if (result.error instanceof TimeoutError) return { down: this.noAnswer() };
      return { down: firstLine(result.error ?? 'the command did not finish') };
    }
    // Parsers ignore exit statuses; no output at all with a failure means no shell ran them.
    if (result.stdout === '' && result.exitCode !== 0) {
      const stderr = result.stderr.trim();
      return {
        down: `the collect command exited with ${result.exitCode}${stderr ? `: ${firstLine(stderr)}` : ''}`,
      };
    }
    return { output: result.stdout };
  }

  private parse(output: string, timestampMs: number): Pick<HostPollResult, 'newSeries' | 'sample'> {
    const context = this.memory.contextFor(this.host.id, timestampMs);
    const { readings, errors } = parseCollectOutput(output, this.parsers, this.token, context);
    const converted = toHostSample(this.host.id, timestampMs, this.parsers, readings, this.known);
    this.noteParserErrors([...errors, ...converted.invalid]);
    return { newSeries: converted.newSeries, sample: converted.sample };
  }

  private noteParserErrors(errors: ReadonlyArray<{ parser: string; message: string }>): void {
    const now = new Map<string, string>();
    for (const { parser, message } of errors) if (!now.has(parser)) now.set(parser, message);
    for (const [parser, message] of now) {
      if (!this.failing.has(parser))
        this.logger.warn(`Monitor: parser "${parser}" failed on ${this.place()}: ${message}`);
    }
    for (const parser of this.failing.keys()) {
      if (!now.has(parser))
        this.logger.info(`Monitor: parser "${parser}" on ${this.place()} reads again.`);
    }
    this.failing.clear();
    for (const [parser, message] of now) this.failing.set(parser, message);
  }

  private changeState(
    timestampMs: number,
    status: HostState['status'],
    reason?: string,
  ): HostState | undefined {
    const previous = this.status;
    // A host that stays down with another reason is told again: its first tick may only time out
    // while the login goes on, and the next gives the real cause (a wrong password).
    if (previous === status && (status === 'up' || reason === this.reason)) return undefined;
    // A tick given up on says less than the error an earlier tick saw (a login failing slowly).
    if (previous === 'down' && reason === this.noAnswer()) return undefined;
    this.status = status;
    this.reason = reason;
    if (status === 'down') this.logger.warn(`Monitor: ${this.place()} is down: ${reason}.`);
    else if (previous === 'down') this.logger.info(`Monitor: ${this.place()} answers again.`);
    const state: HostState = { host: this.host.id, timestampMs, status };
    if (reason !== undefined) state.reason = reason;
    return state;
  }

  private noAnswer(): string {
    return `no answer within ${this.timeouts.pollTimeoutMs}ms`;
  }

  private place(): string {
    return describePlace({ host: this.host.id, kind: this.host.kind });
  }
}

/** What every host error's first line opens with: the collect command and the host (known here). */
const RUN_PREFIX = /^Cannot run `[^`]*` on host "[^"]*"(?: \([^)]*\))? \[[^\]]*\]: /;

/**
 * The first line of an error's message (or of a text), without a final full stop, nor the
 * collect command and the host it names (the state is the host's; the command is the same each
 * tick): `the container is paused`.
 */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim().replace(RUN_PREFIX, '').replace(/\.$/, '');
}
