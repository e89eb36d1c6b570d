import { ConfigError } from '../errors.js';
import type { RunResult } from './command-result.js';

/** How often and how long a repeated command runs. */
export interface RepeatOptions {
  /** Pause between the starts of two runs; runs never overlap (a slow run delays the next). */
  intervalMs: number;
  /** Stop after this many runs. @default no limit */
  times?: number;
  /** Stop after this long. @default no limit */
  durationMs?: number;
  /** Results kept; older ones are dropped. @default 1000 */
  maxHistory?: number;
  /** Called after each run; must not throw. */
  onResult?: (record: RepeatRecord) => void;
}

/** One run of a repeated command. */
export interface RepeatRecord {
  /** 1 for the first run. */
  iteration: number;
  /** When the run started. */
  startedAt: Date;
  /** What the run gave. */
  result: RunResult;
}

/** Runs a task repeatedly in the background until stopped or its limits are reached. */
export class Repeater {
  readonly history: RepeatRecord[] = [];
  private isStopping = false;
  private wake?: () => void;
  private readonly loop: Promise<void>;

  constructor(
    readonly name: string,
    private readonly task: () => Promise<RunResult>,
    private readonly options: RepeatOptions,
  ) {
    if (!(options.intervalMs >= 0)) {
      throw new ConfigError(
        'INVALID_REPEAT',
        `Invalid repeat "${name}": intervalMs must be a non-negative number of milliseconds.`,
      );
    }
    this.loop = this.runLoop();
  }

  /** True until the loop ended (stopped, or out of times or duration). */
  get isRunning(): boolean {
    return !this.isStopping;
  }

  /** Stops after the run in progress, if any; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.isStopping = true;
    this.wake?.();
    await this.loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async runLoop(): Promise<void> {
    const startMs = performance.now();
    for (let iteration = 1; !this.isStopping && this.hasBudget(iteration, startMs); iteration++) {
      const runStartMs = performance.now();
      const record = { iteration, startedAt: new Date(), result: await this.task() };
      this.record(record);
      await this.pause(this.options.intervalMs - (performance.now() - runStartMs));
    }
    this.isStopping = true;
  }

  private hasBudget(iteration: number, startMs: number): boolean {
    if (this.options.times !== undefined && iteration > this.options.times) return false;
    return (
      this.options.durationMs === undefined || performance.now() - startMs < this.options.durationMs
    );
  }

  private record(record: RepeatRecord): void {
    this.history.push(record);
    if (this.history.length > (this.options.maxHistory ?? 1000)) this.history.shift();
    this.options.onResult?.(record);
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.isStopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
