/**
 * The classic builder's output, step by step. The engine's build stream carries the builder's text
 * in `stream` pieces that need not end at line ends: a `Step 3/7 : RUN make` header opens each
 * step, the builder's own lines (` ---> Running in 1f2e…`, ` ---> 3a4b…`, `Removing intermediate
 * container …`) frame it, and everything else is the output of the step's command.
 */
import { LineSplitter } from '../../sessions/line-splitter.js';

/** One step of a build, as the builder announced it. */
export interface BuildStep {
  /** 1-based number of the step. */
  number: number;
  /** Steps in all. */
  total: number;
  /** The instruction as the builder printed it, e.g. `RUN make`. */
  instruction: string;
}

/** Lines of a step's own output kept for a failure message. */
const KEPT_OUTPUT_LINES = 20;

// Docker writes `Step 3/7 : RUN make`; Podman's service (buildah) writes `STEP 3/7: RUN make`.
const STEP_HEADER = /^(?:Step|STEP) (\d+)\/(\d+) ?: (.*)$/;
const BUILDER_LINE =
  /^ ---> |^Removing intermediate container |^Successfully (built|tagged) |^--> [0-9a-f]+$|^COMMIT( |$)|^[0-9a-f]{64}$/;

/**
 * Follows a build's output: the step that runs and the last lines of its output. `onStep` hears
 * each step as it starts, `onOutput` each line the step's command prints.
 */
export class BuildStepTracker {
  /** The step that runs now; undefined before the first. */
  current: BuildStep | undefined;
  private outputLines: string[] = [];
  private readonly splitter = new LineSplitter((line) => this.takeLine(line));

  constructor(
    private readonly onStep: (step: BuildStep) => void = () => {},
    private readonly onOutput: (line: string) => void = () => {},
  ) {}

  /** Feeds one `stream` piece of the engine's build stream. */
  push(text: string): void {
    this.splitter.push(Buffer.from(text, 'utf8'));
  }

  /** Ends the stream: a last line without a newline is taken too. */
  flush(): void {
    this.splitter.flush();
  }

  /** The last lines the current step's command printed. */
  outputTail(): string {
    return this.outputLines.join('\n');
  }

  private takeLine(line: string): void {
    const header = STEP_HEADER.exec(line);
    if (header) {
      this.current = {
        number: Number(header[1]),
        total: Number(header[2]),
        instruction: header[3]!,
      };
      this.outputLines = [];
      this.onStep(this.current);
      return;
    }
    if (line === '' || BUILDER_LINE.test(line)) return;
    this.outputLines.push(line);
    if (this.outputLines.length > KEPT_OUTPUT_LINES) this.outputLines.shift();
    this.onOutput(line);
  }
}

/** One instruction of a Dockerfile, with the line it starts on. */
export interface DockerfileInstruction {
  /** 1-based line of the instruction's first line. */
  line: number;
  /** The instruction's keyword, upper case, e.g. `RUN`. */
  keyword: string;
}

/**
 * The instructions of a Dockerfile in order: comments, blank lines and parser directives are
 * skipped, and a line ending in the escape character (`\`, or the one an `# escape=` directive
 * names) continues on the next.
 */
export function listDockerfileInstructions(text: string): DockerfileInstruction[] {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*([\\`])\s*$/im.exec(lines.slice(0, 5).join('\n'))?.[1] ?? '\\';
  const instructions: DockerfileInstruction[] = [];
  let continued = false;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && continued)) return;
    if (!continued && line !== '')
      instructions.push({ line: index + 1, keyword: line.split(/\s+/)[0]!.toUpperCase() });
    if (line !== '') continued = line.endsWith(escape);
  });
  return instructions;
}

/**
 * The Dockerfile line where a step's instruction starts, when it can be told: the classic builder
 * numbers the instructions of the whole file in order, so step N is the Nth instruction when its
 * keyword agrees.
 */
export function lineOfStep(dockerfileText: string, step: BuildStep): number | undefined {
  const instruction = listDockerfileInstructions(dockerfileText)[step.number - 1];
  const keyword = step.instruction.split(/\s+/)[0]!.toUpperCase();
  return instruction?.keyword === keyword ? instruction.line : undefined;
}
