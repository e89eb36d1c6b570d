import type { Logger } from '../common/logger.js';
import type { OptionSpecs, OptionValues } from '../common/option-set.js';
import { InstructionError, OttoError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import type { LabHostPool } from '../lab/lab-host-pool.js';
import { stoppedBy } from '../hosts/stopped-by.js';
import { exitCodeOf, type Instruction, type InstructionOutcome } from './instruction.js';

/** Options of {@link runInstruction}. */
export interface RunInstructionOptions {
  /** Parsed option values, defaults filled. */
  values: Record<string, unknown>;
  /** The lab's hosts; closed by the caller. */
  pool: LabHostPool;
  logger: Logger;
  outputDir: string;
  dryRun: boolean;
  signal: AbortSignal;
}

/** What running an instruction gave. */
export interface InstructionRun {
  outcome: InstructionOutcome;
  exitCode: number;
  durationMs: number;
}

/**
 * Runs an instruction with its context. A throw that is not an otto-ts error becomes an
 * {@link InstructionError} `INSTRUCTION_FAILED` naming the instruction, with the throw as cause.
 * The hosts of the context stop on `signal` (Ctrl-C): their `run`, `oneshot`, `expect`, `put` and
 * `get` take it unless the call brings a signal of its own (e.g. for cleanup after Ctrl-C).
 */
export async function runInstruction(
  instruction: Instruction,
  options: RunInstructionOptions,
): Promise<InstructionRun> {
  const started = performance.now();
  const { pool, signal } = options;
  const stopping = new WeakMap<Host, Host>();
  const stopped = (host: Host): Host => {
    let wrapped = stopping.get(host);
    if (!wrapped) stopping.set(host, (wrapped = stoppedBy(host, signal)));
    return wrapped;
  };
  try {
    const outcome = await instruction.run({
      options: options.values as OptionValues<OptionSpecs>,
      lab: pool.lab,
      host: (id) => stopped(pool.get(id)),
      hosts: (pattern) => pool.all(pattern).map(stopped),
      logger: options.logger,
      outputDir: options.outputDir,
      dryRun: options.dryRun,
      signal: options.signal,
    });
    return { outcome, exitCode: exitCodeOf(outcome), durationMs: performance.now() - started };
  } catch (error) {
    if (error instanceof OttoError) throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InstructionError(
      'INSTRUCTION_FAILED',
      `Instruction "${instruction.name}" failed: ${reason}`,
      { cause: error },
    );
  }
}
